import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, errors as UndiciErrors } from 'undici';

/**
 * undici's pooled dispatcher and its error classes, from their own files. Its
 * index also loads fetch, WebSocket, EventSource, the cache and the mocks,
 * which the gateway never uses (exchange.ts calls `dispatch` alone): about
 * 3 MB of heap in every process, kept for as long as it runs.
 */
const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
export const undiciErrors = require('undici/lib/core/errors.js') as typeof UndiciErrors;
