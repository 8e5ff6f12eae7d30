/**
 * The one policy every free-text input obeys (team keys, slugs, provider ids,
 * action names, confirmation echoes, connection keys inside global IDs): no
 * control characters (C0, DEL, C1), no bidirectional embeddings, overrides or
 * isolates (they make a value display as another), and a documented maximum
 * length. Checked before any vendor call; vendor-specific formats (a slug's
 * pattern, no spaces in a team key, not empty) come after, in each adapter.
 */

/** Longest free-text input Junction accepts, in UTF-16 code units (README "Input policy"). */
export const MAX_TEXT_INPUT_LENGTH = 128;

/** C0, DEL and C1 controls (\p{Cc}); bidi embeddings/overrides U+202A-U+202E; isolates U+2066-U+2069. */
const FORBIDDEN = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** Why `value` breaks the input policy, or null when it does not. */
export function textInputProblem(value: string, maxLength = MAX_TEXT_INPUT_LENGTH): string | null {
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (FORBIDDEN.test(value)) return 'must not contain control characters or bidirectional overrides';
  return null;
}

/** Private: an index or a name, as a GraphQL field path segment and in a message. */
const label = (path: readonly string[]) =>
  path
    .slice(1)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');

export interface TextInputViolation {
  /** GraphQL path of the offending input field: `["input", "teamKeys", "2"]`. */
  readonly field: readonly string[];
  readonly message: string;
}

/** The policy over several named inputs (absent ones skipped); one violation per offending value. */
export function textInputViolations(
  fields: readonly (readonly [path: readonly string[], value: string | null | undefined])[],
): TextInputViolation[] {
  return fields.flatMap(([field, value]) => {
    const problem = value == null ? null : textInputProblem(value);
    return problem ? [{ field, message: `${label(field)} ${problem}` }] : [];
  });
}
