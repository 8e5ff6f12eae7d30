/**
 * The one policy every free-text input obeys (team keys, slugs, provider ids,
 * action names, confirmation echoes, connection keys inside global IDs): no
 * control characters (C0, DEL, C1), no bidirectional embeddings, overrides or
 * isolates (they make a value display as another), and a documented maximum
 * length. Checked before any vendor call; vendor-specific formats come after.
 */

/** Longest free-text input Junction accepts, in UTF-16 code units (README "Input policy"). */
export const MAX_TEXT_INPUT_LENGTH = 128;

/** C0, DEL and C1 controls (\p{Cc}); bidi embeddings/overrides U+202A-U+202E; isolates U+2066-U+2069. */
const FORBIDDEN = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** Why `value` breaks the input policy, or null when it does not. */
export function textInputProblem(value: string, maxLength = MAX_TEXT_INPUT_LENGTH): string | null {
  if (value.length === 0) return 'must not be empty';
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (FORBIDDEN.test(value)) return 'must not contain control characters or bidirectional overrides';
  return null;
}
