import type { IncomingHttpHeaders } from 'node:http';

/** Fault injection's echo of a request's credential (FaultSpec.echoCredential), for leak tests. */

/** The credential a request carried, as a vendor would read it. */
export function credentialOf(req: { readonly headers: IncomingHttpHeaders }): string {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  return (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
}

/** `body` with every `{{credential}}` in its strings replaced. */
export function echoing(body: unknown, credential: string): unknown {
  if (typeof body === 'string') return body.replaceAll('{{credential}}', credential);
  if (Array.isArray(body)) return body.map((v) => echoing(v, credential));
  if (body !== null && typeof body === 'object')
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, echoing(v, credential)]));
  return body;
}
