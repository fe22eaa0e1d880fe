import type { Principal } from './principal';

/** What a verified JWT says about its bearer. */
export interface VerifiedClaims {
  issuer: string;
  subject: string;
  email?: string;
  name?: string;
  /** Workspace id or slug named by the token's workspace claim (signed: the user may join it). */
  workspace?: string;
  /** Workspace id or slug named by the X-Workspace-ID header (unsigned: must be a membership). */
  requestedWorkspace?: string;
  role?: string;
  isSuperadmin: boolean;
}

/**
 * Turns credentials into principals. Auth defines it; the users module implements it (auth sits
 * below users and never imports it).
 */
export abstract class PrincipalResolver {
  /** The principal of an active API key, or null (unknown, revoked, expired, member removed). */
  abstract resolveApiKey(rawKey: string): Promise<Principal | null>;

  /** The principal of a verified token; the user is created on first sight. */
  abstract resolveJwt(claims: VerifiedClaims): Promise<Principal | null>;
}
