import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const FixAgentErrorCode = {
  /** The incident's agent has no definition in the catalog: there is nothing to diff against. */
  AgentNotInCatalog: 'agent_not_in_catalog',
  /** The incident affected several agents (or none by that name): name one of them. */
  AgentRequired: 'agent_required',
  /** The incident has no affected agent (e.g. its sessions were unlinked). */
  NoAffectedAgent: 'no_affected_agent',
  /** The proposal's base version is no longer the agent's current version. */
  StaleProposal: 'stale_proposal',
  /** The diff does not apply cleanly to the current version's definition. */
  PatchDoesNotApply: 'patch_does_not_apply',
  /** The proposal was applied already. */
  AlreadyApplied: 'already_applied',
  /** The proposal changes nothing. */
  NothingToApply: 'nothing_to_apply',
  /** Platform agents are changed by superadmins only. */
  PlatformAgent: 'platform_agent',
} as const;
export type FixAgentErrorCode = (typeof FixAgentErrorCode)[keyof typeof FixAgentErrorCode];

export class FixAgentException extends AppException {
  constructor(status: HttpStatus, code: FixAgentErrorCode, detail: string, extras: Record<string, unknown> = {}) {
    super(status, code, detail, extras);
  }
}
