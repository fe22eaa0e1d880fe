import type { Request } from 'express';
import { looksLikeApiKey } from './api-key.format';

export const WORKSPACE_HEADER = 'x-workspace-id';

/** The API key of a request: `X-API-Key` (any case), or a `tp_live_` key sent as a Bearer token. */
export function apiKeyFromRequest(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  const bearer = bearerToken(req);
  return bearer && looksLikeApiKey(bearer) ? bearer : undefined;
}

/** A bearer token that is not an API key: a JWT to verify. */
export function jwtFromRequest(req: Request): string | null {
  if (typeof req.headers['x-api-key'] === 'string') return null;
  const bearer = bearerToken(req);
  return bearer && !looksLikeApiKey(bearer) ? bearer : null;
}

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
