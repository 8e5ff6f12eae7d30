import './monaco-workers.js';
import 'graphiql/style.css';
import './ide.css';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode, useMemo, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { loadKey, saveKey, type StoredKey } from './api-key.js';

/**
 * Junction's IDE: GraphiQL against the endpoint that served this page, with
 * the tenant's API key entered above it (see api-key.ts).
 */

// The page is served at the GraphQL endpoint itself, behind whatever path prefix a proxy adds.
const endpoint = window.location.pathname;

const DEFAULT_QUERY = `# Enter your API key above, then run this with Ctrl-Enter (or the ▶ button).
query Organizations {
  organizations {
    displayName
    vendor
  }
}
`;

function fetcherWith(apiKey: string): Fetcher {
  const send = createGraphiQLFetcher({ url: endpoint });
  return (params, options) =>
    send(params, {
      ...options,
      headers: { ...options?.headers, ...(apiKey && { Authorization: `Bearer ${apiKey}` }) },
    });
}

function KeyBar({ stored, onSave }: { stored: StoredKey; onSave: (key: StoredKey) => void }) {
  const [draft, setDraft] = useState(stored.apiKey);
  const [remember, setRemember] = useState(stored.remember);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave({ apiKey: draft.trim(), remember });
  };
  const status = !stored.apiKey
    ? 'No key: the gateway refuses queries (401).'
    : stored.remember
      ? 'Key saved in this browser.'
      : 'Key kept for this tab only.';
  return (
    <form className="junction-keybar" onSubmit={submit} aria-label="API key">
      <strong className="junction-keybar-title">Junction</strong>
      <label>
        API key{' '}
        <input
          name="apiKey"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="jk_…"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
      </label>
      <label>
        <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} /> Remember in
        this browser
      </label>
      <button type="submit">Use key</button>
      <button
        type="button"
        onClick={() => {
          setDraft('');
          onSave({ apiKey: '', remember: false });
        }}
      >
        Forget
      </button>
      <span role="status" className="junction-keybar-status">
        {status}
      </span>
    </form>
  );
}

function Ide() {
  const [stored, setStored] = useState(loadKey);
  // A new fetcher makes GraphiQL introspect again, with the new key.
  const fetcher = useMemo(() => fetcherWith(stored.apiKey), [stored.apiKey]);
  return (
    <div className="junction-ide">
      <KeyBar
        stored={stored}
        onSave={(key) => {
          saveKey(key);
          setStored(key);
        }}
      />
      <div className="junction-graphiql">
        <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} shouldPersistHeaders={false} />
      </div>
    </div>
  );
}

const container = document.getElementById('junction-ide');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <Ide />
    </StrictMode>,
  );
}
