import Ajv from 'ajv';
import { AppException } from 'src/common/errors/app.exception';
import { type AgentSpec, parseSpec } from 'src/modules/catalog/registry/specs';
import { FIX_MAX_PLAN_STEPS, type FixDraft, PLAN_TARGETS, type PlanStep } from './fix-agent.constants';

/** The strict answer format the model is asked for (and held to). */
export const MODEL_ANSWER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['plan', 'definition'],
  properties: {
    plan: {
      type: 'array',
      minItems: 1,
      maxItems: FIX_MAX_PLAN_STEPS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'detail', 'target'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 200 },
          detail: { type: 'string', minLength: 1, maxLength: 2000 },
          target: { enum: [...PLAN_TARGETS] },
        },
      },
    },
    definition: {
      type: 'object',
      additionalProperties: false,
      required: ['system_prompt', 'tool_policy', 'workflow'],
      properties: {
        system_prompt: { type: 'string', minLength: 1, maxLength: 100_000 },
        tool_policy: {
          type: 'object',
          additionalProperties: false,
          required: ['allowed_tools'],
          properties: { allowed_tools: { type: 'array', maxItems: 100, items: { type: 'string' } } },
        },
        workflow: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max_steps: { type: 'integer' },
            step_timeout_seconds: { type: 'integer' },
            run_timeout_seconds: { type: 'integer' },
            max_retries: { type: 'integer' },
            retry_backoff_seconds: { type: 'integer' },
            parallel_tool_calls: { type: 'boolean' },
          },
        },
      },
    },
  },
} as const;

interface ModelAnswer {
  plan: PlanStep[];
  definition: {
    system_prompt: string;
    tool_policy: { allowed_tools: string[] };
    workflow: Partial<AgentSpec['workflow']>;
  };
}

const validateAnswer = new Ajv({ allErrors: false, strict: true }).compile<ModelAnswer>(MODEL_ANSWER_SCHEMA);

export type ReadAnswer = { ok: true; draft: FixDraft } | { ok: false; problem: string };

/**
 * The draft a model's answer proposes, or what is wrong with it. The answer must be the JSON
 * object of MODEL_ANSWER_SCHEMA (a Markdown code fence around it is tolerated); the proposed
 * prompt, tool policy and workflow replace the current ones, and the result must pass the
 * catalog's validation of an agent spec. Display name, status and model selection stay.
 */
export function readModelAnswer(content: string | null | undefined, current: AgentSpec): ReadAnswer {
  const json = extractJson(content ?? '');
  if (json === null) return { ok: false, problem: 'the answer holds no JSON object' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, problem: 'the answer is not valid JSON' };
  }
  if (!validateAnswer(parsed)) {
    const [error] = validateAnswer.errors ?? [];
    return { ok: false, problem: `the answer breaks the format at ${error?.instancePath || '/'}: ${error?.message}` };
  }
  const { definition } = parsed;
  try {
    const spec = parseSpec(
      'agent',
      {
        ...current,
        system_prompt: definition.system_prompt,
        tool_policy: { allowed_tools: definition.tool_policy.allowed_tools },
        workflow: { ...current.workflow, ...definition.workflow },
      },
      'definition',
    ) as AgentSpec;
    return { ok: true, draft: { plan: parsed.plan, spec } };
  } catch (err) {
    if (!(err instanceof AppException)) throw err;
    const fields = (err.extras.errors ?? []).map((e) => `${e.field} ${e.message}`).slice(0, 3);
    return { ok: false, problem: `the proposed definition is not a valid agent: ${fields.join('; ') || err.message}` };
  }
}

/** The outermost `{...}` of the text (models like to wrap JSON in prose or code fences). */
function extractJson(text: string): string | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : null;
}
