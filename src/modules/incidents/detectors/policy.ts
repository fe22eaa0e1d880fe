import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { canonicalJson } from 'src/modules/sessions/events/event-content';
import type { Detector } from './detector';
import type { ToolCall } from './session-view';
import { confidence, evidenceOf, normalizeName } from './signature';
import type { Finding } from './types';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A policy entry matches a tool name exactly, or as a pattern where `*` is any run of characters. */
function allowedBy(policy: string[], tool: string): boolean {
  return policy.some((entry) => {
    const pattern = normalizeName(entry);
    if (!pattern.includes('*')) return pattern === tool;
    return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(tool);
  });
}

function firstCalls(calls: ToolCall[]): Map<string, ToolCall[]> {
  const byTool = new Map<string, ToolCall[]>();
  for (const call of calls) byTool.set(call.tool, [...(byTool.get(call.tool) ?? []), call]);
  return byTool;
}

/**
 * tool_not_allowed: a call to a tool the agent's tool policy does not allow (label
 * `tool_not_allowed`), or, when the agent's policy allows it or is unknown, to a tool the
 * session's suite/catalog does not offer (label `unknown_tool`). Silent when neither is known.
 * Critical step: the first such call.
 */
export const toolNotAllowedDetector: Detector = {
  id: 'tool_not_allowed',
  labels: ['tool_not_allowed', 'unknown_tool'],
  detect(view, context) {
    const policy = context.agent.toolPolicy;
    const catalog = context.catalog.toolNames ? new Set(context.catalog.toolNames.map(normalizeName)) : null;
    if (!policy && !catalog) return [];
    const findings: Finding[] = [];
    for (const [tool, calls] of firstCalls(view.calls)) {
      const outsidePolicy = policy !== null && !allowedBy(policy, tool);
      const outsideCatalog = catalog !== null && !catalog.has(tool);
      if (!outsidePolicy && !outsideCatalog) continue;
      findings.push({
        detector: 'tool_not_allowed',
        label: outsidePolicy ? 'tool_not_allowed' : 'unknown_tool',
        confidence: confidence(1),
        evidence: evidenceOf(calls.map((c) => c.seq)),
        criticalStep: calls[0].seq,
        signature: `${outsidePolicy ? 'policy' : 'catalog'}|tool:${tool}`,
        summary: outsidePolicy
          ? `Tool ${tool} is not allowed by the agent's tool policy`
          : `Tool ${tool} is not in the suite's catalog`,
      });
    }
    return findings;
  },
};

/**
 * Compiled validators by canonical schema. Memoisation only: the same schema always compiles to
 * the same check. Bounded: past the limit a fresh Ajv (and cache) replaces the old one.
 */
const MAX_CACHED_SCHEMAS = 256;
let ajv = newAjv();
const compiled = new Map<string, ValidateFunction | null>();

function newAjv(): Ajv {
  const instance = new Ajv({ allErrors: false, strict: false, validateSchema: true });
  addFormats(instance);
  return instance;
}

function validatorFor(schema: Record<string, unknown>): ValidateFunction | null {
  const key = canonicalJson(schema);
  if (compiled.has(key)) return compiled.get(key) ?? null;
  if (compiled.size >= MAX_CACHED_SCHEMAS) {
    compiled.clear();
    ajv = newAjv();
  }
  let validate: ValidateFunction | null;
  try {
    validate = ajv.compile(schema);
  } catch {
    validate = null; // not a valid JSON Schema: the arguments cannot be judged against it
  }
  compiled.set(key, validate);
  return validate;
}

/** `required:/name`, `type:/items/*`: the failed rule and where, without values or indices. */
function ruleOf(error: ErrorObject): string {
  const path = error.instancePath.replace(/\/\d+(?=\/|$)/g, '/*') || '/';
  const params = error.params as Record<string, unknown>;
  const detail =
    typeof params.missingProperty === 'string'
      ? `/${params.missingProperty}`
      : typeof params.additionalProperty === 'string'
        ? `/${params.additionalProperty}`
        : '';
  return `${error.keyword}:${path === '/' ? '' : path}${detail}`;
}

/**
 * invalid_tool_arguments: a call whose arguments break the input JSON Schema the catalog holds
 * for that tool (validated with Ajv). One finding per tool and broken rule. Critical step: the
 * first such call.
 */
export const invalidToolArgumentsDetector: Detector = {
  id: 'invalid_tool_arguments',
  labels: ['invalid_tool_arguments'],
  detect(view, context) {
    const schemas = new Map(
      Object.entries(context.catalog.toolSchemas).map(([name, schema]) => [normalizeName(name), schema]),
    );
    if (schemas.size === 0) return [];
    const groups = new Map<string, { tool: string; rule: string; message: string; calls: ToolCall[] }>();
    for (const call of view.calls) {
      const schema = schemas.get(call.tool);
      const validate = schema && typeof schema === 'object' ? validatorFor(schema) : null;
      if (!validate || validate(call.args)) continue;
      const error = validate.errors?.[0];
      if (!error) continue;
      const rule = ruleOf(error);
      const key = `${call.tool}|${rule}`;
      const group = groups.get(key) ?? { tool: call.tool, rule, message: error.message ?? 'is invalid', calls: [] };
      group.calls.push(call);
      groups.set(key, group);
    }
    return [...groups.values()].map(({ tool, rule, message, calls }) => ({
      detector: 'invalid_tool_arguments',
      label: 'invalid_tool_arguments',
      confidence: confidence(0.95),
      evidence: evidenceOf(calls.map((c) => c.seq)),
      criticalStep: calls[0].seq,
      signature: `tool:${tool}|${rule}`,
      summary: `Arguments of ${tool} break its input schema (${rule}: ${message})`,
    }));
  },
};
