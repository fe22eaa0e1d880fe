import type { FieldError } from 'src/common/errors/app.exception';
import { CREDENTIAL_REF_PATTERN, type McpTransport, SECRET_LOOKING_NAME } from '../catalog.constants';

/** The endpoint settings of an MCP server, as stored. */
export interface McpServerConfig {
  transport: McpTransport;
  url: string | null;
  command: string | null;
  args: string[];
  env: Record<string, string>;
  headers: Record<string, string>;
  secretRefs: Record<string, string>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const MAX_ENTRIES = 50;
const MAX_VALUE_CHARS = 4000;

/**
 * Every reason the settings do not describe a reachable server of their transport, or would hold
 * a secret in clear. Secrets belong in `secret_refs` as ModelOps credential refs.
 */
export function mcpServerConfigErrors(config: McpServerConfig): FieldError[] {
  const errors: FieldError[] = [];
  const http = config.transport !== 'stdio';
  if (http) {
    if (!config.url) errors.push({ field: 'url', message: `is required for transport ${config.transport}` });
    if (config.command) errors.push({ field: 'command', message: 'is only for transport stdio' });
    if (config.args.length > 0) errors.push({ field: 'args', message: 'is only for transport stdio' });
    if (Object.keys(config.env).length > 0) errors.push({ field: 'env', message: 'is only for transport stdio' });
  } else {
    if (!config.command) errors.push({ field: 'command', message: 'is required for transport stdio' });
    if (config.url) errors.push({ field: 'url', message: `is only for transports sse and streamable_http` });
    if (Object.keys(config.headers).length > 0) {
      errors.push({ field: 'headers', message: 'is only for transports sse and streamable_http' });
    }
  }
  errors.push(...mapErrors('env', config.env, ENV_NAME, 'an environment variable name'));
  errors.push(...mapErrors('headers', config.headers, HEADER_NAME, 'an HTTP header name'));
  const refNames = http ? HEADER_NAME : ENV_NAME;
  const refNoun = http ? 'an HTTP header name' : 'an environment variable name';
  const refs = Object.entries(config.secretRefs);
  if (refs.length > MAX_ENTRIES)
    errors.push({ field: 'secret_refs', message: `must have at most ${MAX_ENTRIES} entries` });
  for (const [name, ref] of refs) {
    if (!refNames.test(name)) errors.push({ field: `secret_refs.${name}`, message: `key must be ${refNoun}` });
    if (typeof ref !== 'string' || !CREDENTIAL_REF_PATTERN.test(ref)) {
      errors.push({ field: `secret_refs.${name}`, message: 'must read modelops://credential/<credential-id>' });
    }
    if (name in config.headers || name in config.env) {
      errors.push({ field: `secret_refs.${name}`, message: 'is also set in clear; keep it in secret_refs only' });
    }
  }
  return errors;
}

function mapErrors(field: string, map: Record<string, unknown>, names: RegExp, noun: string): FieldError[] {
  const errors: FieldError[] = [];
  const entries = Object.entries(map);
  if (entries.length > MAX_ENTRIES) errors.push({ field, message: `must have at most ${MAX_ENTRIES} entries` });
  for (const [name, value] of entries) {
    if (!names.test(name)) errors.push({ field: `${field}.${name}`, message: `key must be ${noun}` });
    else if (SECRET_LOOKING_NAME.test(name)) {
      errors.push({
        field: `${field}.${name}`,
        message: 'looks like a secret: put a ModelOps credential ref in secret_refs instead',
      });
    }
    if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS || /[\r\n\0]/.test(value)) {
      errors.push({
        field: `${field}.${name}`,
        message: `must be a single-line string of at most ${MAX_VALUE_CHARS} characters`,
      });
    }
  }
  return errors;
}

/** The credential ids the refs name, lower-cased. */
export function credentialIds(secretRefs: Record<string, string>): string[] {
  return Object.values(secretRefs)
    .map((ref) => CREDENTIAL_REF_PATTERN.exec(ref)?.[1]?.toLowerCase())
    .filter((id): id is string => id !== undefined);
}

/** Refs added or pointed elsewhere (removals are not: dropping a secret reveals nothing). */
export function changedRefs(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.entries(after)
    .filter(([name, ref]) => before[name] !== ref)
    .map(([name]) => name);
}
