import { applyPatch, createTwoFilesPatch } from 'diff';
import { ValidationAppException } from 'src/common/errors/app.exception';
import { type AgentSpec, parseSpec } from 'src/modules/catalog/registry/specs';

/**
 * The canonical text of an agent definition, which fix proposals diff and patch: the registry
 * spec as pretty JSON with sorted keys, the system prompt as an array of its lines. Lines make
 * a prompt change a readable line diff (one JSON string would be a single changed line), and a
 * rendering that only depends on the spec makes the diff apply to any copy of the same version.
 */
export function renderAgentDocument(spec: AgentSpec): string {
  const document = { ...spec, system_prompt: spec.system_prompt.split('\n') };
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

/**
 * The spec a (patched) document describes, validated with the catalog's own rules for an agent
 * spec (422 naming the fields under `definition.`), normalised as the registry stores it.
 */
export function parseAgentDocument(text: string): AgentSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ValidationAppException(
      [{ field: 'definition', message: 'the patched definition is not valid JSON' }],
      'The patched agent definition could not be read',
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationAppException([{ field: 'definition', message: 'must be a JSON object' }]);
  }
  const fields = { ...(raw as Record<string, unknown>) };
  const prompt = fields.system_prompt;
  if (Array.isArray(prompt) && prompt.every((line) => typeof line === 'string')) {
    fields.system_prompt = prompt.join('\n');
  }
  return parseSpec('agent', fields, 'definition') as AgentSpec;
}

/**
 * The unified diff from one definition to another (`a/<key>.json` → `b/<key>.json`), or an
 * empty string when they render alike.
 */
export function diffAgentDocuments(key: string, baseVersion: number, before: AgentSpec, after: AgentSpec): string {
  const from = renderAgentDocument(before);
  const to = renderAgentDocument(after);
  if (from === to) return '';
  return createTwoFilesPatch(`a/${key}.json`, `b/${key}.json`, from, to, `version ${baseVersion}`, 'proposed');
}

/** The patched document, or null when the diff does not apply cleanly (no fuzz) to this definition. */
export function applyAgentDiff(current: AgentSpec, diff: string): string | null {
  const patched = applyPatch(renderAgentDocument(current), diff);
  return patched === false ? null : patched;
}

/** Objects with their keys in code-point order, recursively; arrays keep their order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
