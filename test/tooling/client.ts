import { Client, fetchExchange, type Exchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';

/**
 * A real GraphQL client (urql), configured the way a frontend or an
 * automation job would: bearer key, POST, optionally persisted operations.
 * `sent` records every HTTP body the client put on the wire.
 */

export interface RecordingClient {
  readonly client: Client;
  readonly sent: Record<string, unknown>[];
}

export type PersistedMode =
  /** No persisted operations: the full document every time. */
  | 'none'
  /** APQ: the SHA-256 of the client's own printed query; the full query once, after a miss. */
  | 'apq'
  /** Pinned: the manifest hash the client preset embedded in the document; never the query text. */
  | 'pinned';

export function createClient(url: string, apiKey: string, mode: PersistedMode = 'none'): RecordingClient {
  const sent: Record<string, unknown>[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as Record<string, unknown>);
    return fetch(input, init);
  };
  const persisted: Exchange[] =
    mode === 'none'
      ? []
      : [
          persistedExchange({
            preferGetForPersistedQueries: false,
            enableForMutation: true,
            ...(mode === 'pinned' && {
              enforcePersistedQueries: true,
              // The client preset embeds "sha256:<hex>" in each document (persistedDocuments option).
              generateHash: async (_query, document) =>
                (document as { __meta__?: { hash?: string } }).__meta__?.hash?.replace(/^sha256:/, ''),
            }),
          }),
        ];
  const client = new Client({
    url,
    exchanges: [...persisted, fetchExchange],
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetch: recordingFetch,
    fetchOptions: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  return { client, sent };
}
