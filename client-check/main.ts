// A consumer of the generated OpenAPI client, type-checked in CI (`npm run client:check`).
// It uses the contract the way an SDK user would: if `GET /v1/users/me`, its `X-API-Key`
// security or the `email` / `workspace.slug` fields change, this file stops compiling.
//
// Run by hand (after `npm run client:check` generated the types):
//   FLIGHTDECK_URL=http://localhost:3000 FLIGHTDECK_API_KEY=tp_live_... npx ts-node client-check/main.ts
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/api';

type Me = components['schemas']['UserMeResponseDto'];

export interface WhoAmI {
  email: string;
  workspaceSlug: string;
}

export async function whoAmI(baseUrl: string, apiKey: string): Promise<WhoAmI> {
  const client = createClient<paths>({ baseUrl });
  const { data, error, response } = await client.GET('/v1/users/me', {
    headers: { 'X-API-Key': apiKey },
  });
  if (error !== undefined) {
    // Errors are problem+json (RFC 9457): the generated type says so.
    throw new Error(`GET /v1/users/me failed: ${response.status} ${error.title} (request ${error.request_id})`);
  }
  const me: Me = data;
  const email: string = me.email;
  const workspaceSlug: string = me.workspace.slug;
  return { email, workspaceSlug };
}

async function main(): Promise<void> {
  const baseUrl = process.env.FLIGHTDECK_URL ?? 'http://localhost:3000';
  const apiKey = process.env.FLIGHTDECK_API_KEY;
  if (!apiKey) throw new Error('set FLIGHTDECK_API_KEY');
  const { email, workspaceSlug } = await whoAmI(baseUrl, apiKey);
  process.stdout.write(`${email} in workspace ${workspaceSlug}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
