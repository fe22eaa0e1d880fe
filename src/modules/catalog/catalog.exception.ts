import { HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppException } from 'src/common/errors/app.exception';

export const CatalogErrorCode = {
  /** A name (suite, action, MCP server or tool) or registry key is taken in its scope. */
  NameTaken: 'name_taken',
  /** The resource is referenced: the detail and `references` name by what. */
  InUse: 'in_use',
  /** Platform agents and tools are global and cannot be deleted (publish an inactive version). */
  PlatformEntryProtected: 'platform_entry_protected',
  /** Only the owner of a user agent (or a superadmin) may delete it. */
  NotOwner: 'not_owner',
  /** The key, kind or classification of a registry entry never changes. */
  Immutable: 'immutable',
  /** Secret refs name platform credentials: only superadmins may attach them. */
  CredentialRefForbidden: 'credential_ref_forbidden',
  /** A JSON Schema (action arguments, tool input or output) is not a valid schema: `errors[]` names the path. */
  InvalidJsonSchema: 'invalid_json_schema',
  /** A reference (MCP server, tool key, model, credential, owner) names nothing that exists. */
  UnknownReference: 'unknown_reference',
  /** The MCP tools/list payload is not one (or is a JSON-RPC error). */
  InvalidToolsList: 'invalid_tools_list',
} as const;
export type CatalogErrorCode = (typeof CatalogErrorCode)[keyof typeof CatalogErrorCode];

export class CatalogException extends AppException {
  constructor(status: HttpStatus, code: CatalogErrorCode, detail: string, extras: Record<string, unknown> = {}) {
    super(status, code, detail, extras);
  }
}

export function nameTaken(what: string, name: string): CatalogException {
  return new CatalogException(HttpStatus.CONFLICT, CatalogErrorCode.NameTaken, `${what} named ${name} already exists`);
}

/** 409 `in_use` naming each reference, e.g. `sessions.suite_id: 3 sessions (…)`. */
export function inUse(what: string, references: string[]): CatalogException {
  return new CatalogException(
    HttpStatus.CONFLICT,
    CatalogErrorCode.InUse,
    `${what} is referenced by ${references.join('; ')}`,
    { references },
  );
}

/** The unique index that refused a write, when it was a unique violation. */
export function violatedUniqueIndex(err: unknown): string | null {
  if (!(err instanceof QueryFailedError)) return null;
  const driver = err.driverError as { code?: string; constraint?: string } | undefined;
  return driver?.code === '23505' ? (driver.constraint ?? '') : null;
}
