/**
 * Monaco runs its language services in web workers. GraphiQL leaves starting
 * them to the page; these come from the gateway, next to this script (the
 * build names them), never from a CDN.
 */
const assetBase = new URL('.', (document.currentScript as HTMLScriptElement | null)?.src ?? document.baseURI);

const workerFile = (label: string) =>
  label === 'json' ? 'json.worker.js' : label === 'graphql' ? 'graphql.worker.js' : 'editor.worker.js';

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) => new Worker(new URL(workerFile(label), assetBase), { name: label }),
};
