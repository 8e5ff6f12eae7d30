/**
 * The API key the IDE sends, kept in this browser only: sessionStorage (gone
 * when the tab closes) unless the user asks to remember it (localStorage). It
 * travels in the Authorization header, never in a URL.
 */
const STORAGE_KEY = 'junction.apiKey';

export interface StoredKey {
  readonly apiKey: string;
  readonly remember: boolean;
}

export function loadKey(): StoredKey {
  const remembered = localStorage.getItem(STORAGE_KEY);
  if (remembered) return { apiKey: remembered, remember: true };
  return { apiKey: sessionStorage.getItem(STORAGE_KEY) ?? '', remember: false };
}

export function saveKey({ apiKey, remember }: StoredKey): void {
  localStorage.removeItem(STORAGE_KEY);
  sessionStorage.removeItem(STORAGE_KEY);
  if (apiKey) (remember ? localStorage : sessionStorage).setItem(STORAGE_KEY, apiKey);
}
