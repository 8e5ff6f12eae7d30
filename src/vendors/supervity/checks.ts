import { UserFacingError } from '../../domain/errors.js';
import type { DisconnectTarget } from '../port.js';
import { INTEGRATION_SLUG, type SupervityConnectedAccount } from './wire.js';

/** Supervity's input checks, made without a vendor call: what its adapter's mutations refuse before sending anything. */

/** The action name Supervity reads as "every action of the integration". */
export const ALL_ACTIONS = 'all';
const ACTION_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const TEAM_KEY = /^\S{1,128}$/;

/** A disconnect's slug and action, and the confirmation a whole-integration disconnect needs. */
export function checkDisconnect(target: DisconnectTarget): UserFacingError[] {
  const problems: UserFacingError[] = [];
  if (!INTEGRATION_SLUG.test(target.provider))
    problems.push(
      new UserFacingError(
        'INVALID_INPUT',
        'A Supervity integration slug matches ^[a-z0-9_-]+$ (for example google-workspace)',
        ['input', 'provider'],
      ),
    );
  if (target.action !== undefined && !ACTION_NAME.test(target.action))
    problems.push(
      new UserFacingError('INVALID_INPUT', 'An action name is 1 to 128 letters, digits, "_", "." or "-"', [
        'input',
        'action',
      ]),
    );
  // Without an action the DELETE names the slug: every action, for every account of it in the organization.
  if (problems.length === 0 && target.action === undefined && !target.dryRun)
    if (target.confirmProvider !== target.provider)
      problems.push(
        new UserFacingError(
          'CONFIRMATION_REQUIRED',
          `Without an action this disconnects every action of ${target.provider} for every account of it in the organization: repeat the integration slug in confirmProvider (a dry run lists what would be removed)`,
          ['input', 'confirmProvider'],
        ),
      );
  return problems;
}

/** Team keys are non-blank and do not repeat. */
export function checkTeamKeys(teamKeys: readonly string[]): UserFacingError[] {
  const problems: UserFacingError[] = [];
  if (teamKeys.some((k) => !TEAM_KEY.test(k)))
    problems.push(
      new UserFacingError('INVALID_INPUT', 'A team key is 1 to 128 characters without spaces', ['input', 'teamKeys']),
    );
  if (new Set(teamKeys).size !== teamKeys.length)
    problems.push(new UserFacingError('INVALID_INPUT', 'Team keys must not repeat', ['input', 'teamKeys']));
  return problems;
}

export const actionOf = (target: DisconnectTarget) => target.action ?? ALL_ACTIONS;

/** The account UUID the sharing endpoint needs; Supervity's documented /me shape does not promise it. */
export function accountIdOf(account: SupervityConnectedAccount): string {
  if (account.id) return account.id;
  throw new UserFacingError(
    'UNSUPPORTED_OPERATION',
    "Supervity did not report this connected account's id, which updating its sharing requires",
    ['input', 'connectionId'],
  );
}
