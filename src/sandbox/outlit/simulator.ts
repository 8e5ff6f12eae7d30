import type { SimRequest, SimResponse, VendorSimulator } from '../simulator.js';
import { OUTLIT_CATALOGUE, OUTLIT_SEED, type OutlitSeedOrganization } from './seed.js';

/**
 * Outlit's Platform API integration routes (shared/contracts/outlit.yaml): list
 * integrations, one provider's sync status, disconnect. Each API key is one
 * organization's; errors use the contract's `ErrorResponse` (400 with
 * `ValidationIssue`s, 401, 500) and the disconnect's own 404 body.
 */

export interface OutlitSimulatorOptions {
  readonly seed?: readonly OutlitSeedOrganization[];
  /** Echo the received API key in 401 bodies, so tests can prove Junction never passes vendor bodies on. */
  readonly echoCredentials?: boolean;
}

const LAST_SYNC = '2026-04-10T18:22:11.000Z';
const PROVIDER_IDS = new Set(OUTLIT_CATALOGUE.map((p) => p.id));

interface SyncState {
  model: string;
  status: string;
  lastSyncedAt: string | null;
  errorMessage: string | null;
}
interface IntegrationState {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  status: 'connected' | 'not_connected';
  connectionId: string | null;
  lastDataReceivedAt: string | null;
  syncs: SyncState[];
}

/** The list's aggregate: FAILED when any model failed, PENDING while any is pending, else SUCCESS. */
function aggregateSyncStatus(syncs: readonly SyncState[]): string | null {
  if (syncs.length === 0) return null;
  const statuses = syncs.map((s) => s.status);
  return statuses.includes('FAILED') ? 'FAILED' : statuses.includes('PENDING') ? 'PENDING' : 'SUCCESS';
}

const listItem = (i: IntegrationState) => ({
  id: i.id,
  name: i.name,
  category: i.category,
  status: i.status,
  connectionId: i.connectionId,
  lastDataReceivedAt: i.lastDataReceivedAt,
  syncStatus: aggregateSyncStatus(i.syncs),
  errorMessage: i.syncs.find((s) => s.status === 'FAILED')?.errorMessage ?? null,
});

const badRequest = (details: { path: (string | number)[]; message: string }[]): SimResponse => ({
  status: 400,
  body: { error: 'Invalid request', details },
});

const providerIssue = (path: string[], value: unknown) => ({
  path,
  message:
    value === undefined
      ? 'Required'
      : `Invalid enum value. Expected ${[...PROVIDER_IDS].map((p) => `'${p}'`).join(' | ')}, received '${String(value)}'`,
});

export function createOutlitSimulator(options: OutlitSimulatorOptions = {}): VendorSimulator {
  const seed = options.seed ?? OUTLIT_SEED;
  let byKey = new Map<string, Map<string, IntegrationState>>();
  const reset = () => {
    byKey = new Map(
      seed.map((org) => [
        org.apiKey,
        new Map(
          OUTLIT_CATALOGUE.map((p) => {
            const c = org.connections.find((x) => x.provider === p.id);
            const state: IntegrationState = {
              ...p,
              status: c ? 'connected' : 'not_connected',
              connectionId: c?.connectionId ?? null,
              lastDataReceivedAt: c ? LAST_SYNC : null,
              syncs: (c?.syncs ?? []).map((s) => ({
                model: s.model,
                status: s.status,
                lastSyncedAt: s.status === 'PENDING' ? null : LAST_SYNC,
                errorMessage: s.errorMessage ?? null,
              })),
            };
            return [p.id, state];
          }),
        ),
      ]),
    );
  };
  reset();

  const bearer = (req: SimRequest) => /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const stateOf = (req: SimRequest) => byKey.get(bearer(req)!)!;

  return {
    vendor: 'OUTLIT',
    reset,
    authenticate(req) {
      const key = bearer(req);
      if (key && byKey.has(key)) return null;
      const error = options.echoCredentials && key ? `Invalid credentials: ${key}` : 'Invalid credentials';
      return { status: 401, body: { error } };
    },
    routes: [
      {
        method: 'GET',
        path: '/api/integrations',
        handle(req) {
          // The contract documents no 400 for this route, so any value but `true` reads as the default.
          const connectedOnly = req.query.get('connectedOnly');
          const items = [...stateOf(req).values()]
            .filter((i) => connectedOnly !== 'true' || i.status === 'connected')
            .map(listItem);
          return { status: 200, body: { items } };
        },
      },
      {
        method: 'GET',
        path: '/api/integrations/sync-status',
        handle(req) {
          const provider = req.query.get('provider') ?? undefined;
          const state = provider === undefined ? undefined : stateOf(req).get(provider);
          if (!state) return badRequest([providerIssue(['provider'], provider)]);
          return {
            status: 200,
            body: {
              provider: state.id,
              name: state.name,
              category: state.category,
              status: state.status,
              syncs: state.syncs,
            },
          };
        },
      },
      {
        method: 'POST',
        path: '/api/integrations/disconnect',
        handle(req) {
          const body = req.body;
          if (typeof body !== 'object' || body === null || Array.isArray(body))
            return badRequest([{ path: [], message: 'Expected object' }]);
          const extra = Object.keys(body).filter((k) => k !== 'provider');
          if (extra.length > 0)
            return badRequest([{ path: [], message: `Unrecognized key(s) in object: ${extra.join(', ')}` }]);
          const provider = (body as { provider?: unknown }).provider;
          const state = typeof provider === 'string' ? stateOf(req).get(provider) : undefined;
          if (!state) return badRequest([providerIssue(['provider'], provider)]);
          if (state.status !== 'connected')
            return { status: 404, body: { success: false, message: 'Integration is not connected' } };
          state.status = 'not_connected';
          state.connectionId = null;
          state.syncs = [];
          return { status: 200, body: { success: true } };
        },
      },
    ],
  };
}
