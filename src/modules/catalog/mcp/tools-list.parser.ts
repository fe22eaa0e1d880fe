import { HttpStatus } from '@nestjs/common';
import type { FieldError } from 'src/common/errors/app.exception';
import { MCP_TOOL_NAME_PATTERN } from '../catalog.constants';
import { CatalogErrorCode, CatalogException } from '../catalog.exception';
import { type JsonSchemaObject, jsonSchemaErrors } from '../schema/json-schema.validator';

/** One tool of an MCP `tools/list` result, as stored. */
export interface ParsedMcpTool {
  name: string;
  title: string | null;
  description: string | null;
  inputSchema: JsonSchemaObject;
  outputSchema: JsonSchemaObject | null;
  annotations: Record<string, unknown>;
}

export interface ParsedToolsList {
  tools: ParsedMcpTool[];
  /** Set when the server has more pages: the list is partial, so nothing may be pruned. */
  nextCursor: string | null;
}

export const MAX_IMPORTED_TOOLS = 1000;
export const MAX_TOOL_DESCRIPTION_CHARS = 32_768;
const MAX_TITLE_CHARS = 512;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the result of an MCP `tools/list` request, the `ListToolsResult` the official SDKs return
 * (`{tools: Tool[], nextCursor?, _meta?}`), bare or inside its JSON-RPC response
 * (`{jsonrpc: "2.0", id, result}`). Unknown fields are ignored, as the SDK schemas pass them
 * through (`icons`, `_meta`, `execution`). Every problem is reported at once, each naming its
 * path in the payload as sent; any problem refuses the whole import (422 `invalid_tools_list`).
 */
export function parseToolsList(body: unknown): ParsedToolsList {
  if (!isObject(body)) throw invalid([{ field: '', message: 'must be a JSON object (a tools/list result)' }]);
  let result: Record<string, unknown> = body;
  let prefix = '';
  if ('jsonrpc' in body) {
    if (isObject(body.error)) {
      const code = typeof body.error.code === 'number' ? ` ${body.error.code}` : '';
      const message = typeof body.error.message === 'string' ? `: ${body.error.message.slice(0, 500)}` : '';
      throw invalid([{ field: 'error', message: `is a JSON-RPC error${code}${message}, not a tools/list result` }]);
    }
    if (!isObject(body.result)) throw invalid([{ field: 'result', message: 'must be the tools/list result object' }]);
    result = body.result;
    prefix = 'result.';
  }
  const errors: FieldError[] = [];
  const nextCursor = result.nextCursor;
  if (nextCursor !== undefined && nextCursor !== null && typeof nextCursor !== 'string') {
    errors.push({ field: `${prefix}nextCursor`, message: 'must be a string' });
  }
  if (!Array.isArray(result.tools)) {
    throw invalid([...errors, { field: `${prefix}tools`, message: 'must be an array of tools' }]);
  }
  if (result.tools.length > MAX_IMPORTED_TOOLS) {
    throw invalid([{ field: `${prefix}tools`, message: `must hold at most ${MAX_IMPORTED_TOOLS} tools` }]);
  }
  const seen = new Map<string, number>();
  const tools: ParsedMcpTool[] = [];
  result.tools.forEach((raw: unknown, i) => {
    const at = `${prefix}tools.${i}`;
    const tool = parseTool(raw, at, errors);
    if (!tool) return;
    const first = seen.get(tool.name);
    if (first !== undefined) {
      errors.push({ field: `${at}.name`, message: `duplicates ${prefix}tools.${first}.name (${tool.name})` });
      return;
    }
    seen.set(tool.name, i);
    tools.push(tool);
  });
  if (errors.length > 0) throw invalid(errors);
  return { tools, nextCursor: typeof nextCursor === 'string' ? nextCursor : null };
}

function parseTool(raw: unknown, at: string, errors: FieldError[]): ParsedMcpTool | null {
  if (!isObject(raw)) {
    errors.push({ field: at, message: 'must be a tool object' });
    return null;
  }
  const before = errors.length;
  const { name, title, description, inputSchema, outputSchema, annotations } = raw;
  if (typeof name !== 'string' || !MCP_TOOL_NAME_PATTERN.test(name)) {
    errors.push({ field: `${at}.name`, message: 'must be 1-128 characters of A-Z, a-z, 0-9, _, - and .' });
  }
  if (title !== undefined && (typeof title !== 'string' || title.length > MAX_TITLE_CHARS)) {
    errors.push({ field: `${at}.title`, message: `must be a string of at most ${MAX_TITLE_CHARS} characters` });
  }
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > MAX_TOOL_DESCRIPTION_CHARS)
  ) {
    errors.push({
      field: `${at}.description`,
      message: `must be a string of at most ${MAX_TOOL_DESCRIPTION_CHARS} characters`,
    });
  }
  if (inputSchema === undefined) errors.push({ field: `${at}.inputSchema`, message: 'is required' });
  else errors.push(...jsonSchemaErrors(inputSchema, `${at}.inputSchema`));
  if (outputSchema !== undefined) errors.push(...jsonSchemaErrors(outputSchema, `${at}.outputSchema`));
  if (annotations !== undefined && !isObject(annotations)) {
    errors.push({ field: `${at}.annotations`, message: 'must be an object' });
  }
  if (errors.length > before) return null;
  return {
    name: name as string,
    title: (title as string | undefined) ?? null,
    description: (description as string | undefined) ?? null,
    inputSchema: inputSchema as JsonSchemaObject,
    outputSchema: (outputSchema as JsonSchemaObject | undefined) ?? null,
    annotations: (annotations as Record<string, unknown> | undefined) ?? {},
  };
}

function invalid(errors: FieldError[]): CatalogException {
  return new CatalogException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    CatalogErrorCode.InvalidToolsList,
    `Not an MCP tools/list result: ${errors[0].field || 'body'} ${errors[0].message}`,
    { errors: errors.slice(0, 50) },
  );
}
