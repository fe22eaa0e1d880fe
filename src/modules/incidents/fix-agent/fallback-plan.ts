import type { AgentSpec, WorkflowSettings } from 'src/modules/catalog/registry/specs';
import { type FixDraft, GUARDRAILS_HEADING, type IncidentFacts, type PlanStep } from './fix-agent.constants';

/** What a detector's fix changes, before it is applied to a definition. */
interface Remedy {
  /** One line for the guardrails section of the system prompt. */
  guard: string;
  workflow?: (w: WorkflowSettings) => Partial<WorkflowSettings>;
  maxTokens?: (current: number | undefined) => number | undefined;
  removeTools?: string[];
  /** What no definition change can do: someone has to look. */
  investigate?: string;
}

/**
 * The deterministic fix of an incident, used when no model can be asked (or its answer was
 * unusable): one remedy per detector (docs/detectors.md) applied to the current definition. Pure:
 * the same incident and definition always give the same plan and definition. Re-applying it to
 * a definition that already has its guard adds nothing twice, and workflow limits only move
 * toward the remedy (a limit already past it is left alone).
 */
export function fallbackDraft(incident: IncidentFacts, current: AgentSpec): FixDraft {
  const remedy = remedyOf(incident, current);
  const plan: PlanStep[] = [];
  const guard = `${remedy.guard} [${incident.label}]`;
  const systemPrompt = withGuard(current.system_prompt, guard);
  plan.push({
    title: 'Add a guardrail to the system prompt',
    detail: `Append to the "${GUARDRAILS_HEADING.replace(/^#+ /, '')}" section: ${guard}`,
    target: 'system_prompt',
  });

  const workflow = { ...current.workflow, ...(remedy.workflow?.(current.workflow) ?? {}) };
  const changed = (Object.keys(workflow) as (keyof WorkflowSettings)[]).filter(
    (k) => workflow[k] !== current.workflow[k],
  );
  if (changed.length > 0) {
    plan.push({
      title: 'Tighten the workflow settings',
      detail: changed.map((k) => `${k}: ${String(current.workflow[k])} → ${String(workflow[k])}`).join('; '),
      target: 'workflow',
    });
  }

  const parameters = { ...current.model_selection.parameters };
  const maxTokens = remedy.maxTokens?.(parameters.max_tokens);
  if (maxTokens !== undefined && maxTokens !== parameters.max_tokens) {
    plan.push({
      title: 'Lower the answer length limit',
      detail: `model_selection.parameters.max_tokens: ${parameters.max_tokens ?? 'unset'} → ${maxTokens}`,
      target: 'model_selection',
    });
    parameters.max_tokens = maxTokens;
  }

  const removed = current.tool_policy.allowed_tools.filter((t) => remedy.removeTools?.includes(t));
  if (removed.length > 0) {
    plan.push({
      title: 'Remove tools the catalog does not offer from the tool policy',
      detail: `tool_policy.allowed_tools: remove ${removed.join(', ')}`,
      target: 'tool_policy',
    });
  }
  if (remedy.investigate) plan.push({ title: 'Investigate', detail: remedy.investigate, target: 'investigation' });

  return {
    plan,
    spec: {
      ...current,
      system_prompt: systemPrompt,
      model_selection: { ...current.model_selection, parameters },
      tool_policy: { allowed_tools: current.tool_policy.allowed_tools.filter((t) => !removed.includes(t)) },
      workflow,
    },
  };
}

function remedyOf(incident: IncidentFacts, current: AgentSpec): Remedy {
  const tool = part(incident.signature, 'tool');
  const error = part(incident.signature, 'error');
  const toolName = tool ?? 'a tool';
  const failure = error ? ` (${error})` : '';
  switch (incident.detector) {
    case 'tool_error':
      return {
        guard: `When ${toolName} fails${failure}, do not continue as if it had succeeded: retry it as the workflow allows, then tell the user plainly which step failed.`,
        workflow: (w) => ({
          max_retries: Math.max(w.max_retries, 3),
          retry_backoff_seconds: Math.max(w.retry_backoff_seconds, 2),
        }),
        investigate: `Find out why ${toolName} returns${failure || ' errors'}: credentials, upstream availability or the arguments the agent sends.`,
      };
    case 'retries_exhausted':
      return {
        guard: `When ${toolName} keeps failing${failure}, stop after the allowed retries, report the failure and suggest a next step instead of trying again.`,
        workflow: (w) => ({ retry_backoff_seconds: Math.min(600, Math.max(5, w.retry_backoff_seconds * 2)) }),
        investigate: `Check whether ${toolName} is down or refuses these calls; more retries will not fix a permanent error.`,
      };
    case 'contradicted_final_answer':
      return {
        guard: `Never say a task succeeded when the last result of ${toolName} reported an error${failure}; say what failed.`,
      };
    case 'repeated_tool_call':
      return {
        guard: `Do not call ${toolName} again with the same arguments: if its result did not help, change the arguments, use another tool, or stop and explain.`,
        workflow: (w) => ({ max_steps: fewerSteps(w.max_steps) }),
      };
    case 'no_progress':
      return {
        guard: `If a few steps in a row bring no new information${tool ? ` (e.g. calls to ${tool})` : ''}, stop and tell the user what is missing.`,
        workflow: (w) => ({ max_steps: fewerSteps(w.max_steps) }),
      };
    case 'timeout':
      return timeoutRemedy(incident.signature, tool);
    case 'abandoned':
      return { guard: 'Always end a run with a final answer or an explicit hand-off; never stop silently.' };
    case 'unanswered_question':
      return { guard: 'Answer every question the user asks before ending the run; if you cannot, say so and why.' };
    case 'tool_not_allowed':
      return policyRemedy(incident.signature, tool, current);
    case 'invalid_tool_arguments': {
      const rule = incident.signature.split('|').slice(1).join('|') || 'its input schema';
      return {
        guard: `Before calling ${toolName}, check the arguments against its input schema (calls broke ${rule}); ask the user for missing values instead of guessing.`,
      };
    }
    case 'runaway_usage':
      return {
        guard: 'Keep answers and tool use short: stop as soon as the task is done, and do not restate earlier results.',
        workflow: (w) => ({ max_steps: fewerSteps(w.max_steps) }),
        maxTokens: (n) => (n === undefined ? undefined : Math.max(256, Math.floor(n * 0.75))),
      };
    default:
      return {
        guard: `Avoid the failure "${incident.title}" (detector ${incident.detector}): check each step's result before going on.`,
        investigate: `Detector ${incident.detector} has no specific remedy; review the incident's sample sessions.`,
      };
  }
}

function timeoutRemedy(signature: string, tool: string | null): Remedy {
  if (signature.startsWith('session|')) {
    return {
      guard: 'Work toward a final answer early; when the run is taking long, report progress and what is left.',
      workflow: (w) => ({ run_timeout_seconds: Math.min(86_400, w.run_timeout_seconds * 2) }),
    };
  }
  const what = tool ?? `model ${part(signature, 'model') ?? 'calls'}`;
  return {
    guard: `If ${what} does not answer in time, report it to the user instead of waiting or ending silently.`,
    investigate: `Check the latency of ${what} against the step timeout.`,
  };
}

function policyRemedy(signature: string, tool: string | null, current: AgentSpec): Remedy {
  const name = tool ?? 'unknown';
  const allowed = current.tool_policy.allowed_tools.map((t) => t.replace(/^tool\./, ''));
  if (signature.startsWith('catalog|')) {
    return {
      guard: `${name} is not a tool of this agent's catalog: do not call it.`,
      removeTools: [`tool.${name}`],
    };
  }
  return {
    guard: `Only call the tools your policy allows (${allowed.join(', ') || 'none'}); never call ${name}.`,
    investigate: `If ${name} is really needed, extend tool_policy.allowed_tools with its catalog key (tool.${name}) deliberately.`,
  };
}

/** A quarter fewer steps, never below 3 (nor above the current limit). */
function fewerSteps(steps: number): number {
  return Math.min(steps, Math.max(3, Math.floor(steps * 0.75)));
}

/** The value of a `name:value` part of a signature (`tool:crm.lookup|error:ECONNREFUSED`). */
function part(signature: string, name: string): string | null {
  const found = signature.split('|').find((p) => p.startsWith(`${name}:`));
  return found ? found.slice(name.length + 1) || null : null;
}

/** The prompt with the guard line in its guardrails section (added once). */
function withGuard(prompt: string, guard: string): string {
  const line = `- ${guard}`;
  if (prompt.split('\n').includes(line)) return prompt;
  if (prompt.includes(GUARDRAILS_HEADING)) return `${prompt.replace(/\n+$/, '')}\n${line}`;
  return `${prompt.replace(/\n+$/, '')}\n\n${GUARDRAILS_HEADING}\n${line}`;
}
