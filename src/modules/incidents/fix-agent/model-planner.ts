import { Injectable, Logger } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';
import type { AgentSpec } from 'src/modules/catalog/registry/specs';
import { PlatformControlErrorCode } from 'src/modules/platform-control/platform-control.exception';
import { PlatformRuntimeService } from 'src/modules/platform-control/platform-runtime.service';
import { FallbackReason, FIX_MODEL_MAX_TOKENS, type FixDraft, PLAN_TARGETS } from './fix-agent.constants';
import { MODEL_ANSWER_SCHEMA, readModelAnswer } from './model-answer';

/** Everything the model is shown: the incident, what the sessions showed, the definition to fix. */
export interface FixContext {
  workspaceId: string;
  incident: {
    detector: string;
    label: string;
    signature: string;
    title: string;
    sessions: number;
    agent: string;
    versions: string[];
  };
  evidence: {
    session_id: string;
    agent_version: string | null;
    summary: string;
    critical_step: number;
    events: { seq: number; type: string; payload: string }[];
  }[];
  agent: { key: string; version: number; spec: AgentSpec };
}

export type PlannerOutcome =
  { ok: true; draft: FixDraft; model: string } | { ok: false; reason: string; detail: string; model: string | null };

const PLATFORM_CODES = new Set<string>(Object.values(PlatformControlErrorCode));

const INSTRUCTIONS = [
  'You fix AI agents. You get an incident (the same failure across sessions of one agent), evidence from',
  'sample sessions, and the agent definition: its system prompt, tool policy (catalog tool keys such as',
  'tool.web_search) and workflow limits. Propose the smallest change to the definition that prevents the',
  'failure. Answer with ONE JSON object and nothing else, exactly of this JSON Schema:',
  JSON.stringify(MODEL_ANSWER_SCHEMA),
  `plan: ordered steps; target is one of ${PLAN_TARGETS.join(', ')}. definition: the complete new system_prompt,`,
  'the complete allowed_tools list, and the workflow fields to change. Only allow tools the definition',
  'already allows or that the incident shows the agent needs. Never invent credentials or URLs.',
].join('\n');

/**
 * Asks the platform's llm_inference capability (the active deployment, through the runtime
 * resolver: the offline profile never reaches a cloud provider) for a plan and a revised
 * definition. Every way this can fail short of a bug — no deployment or binding, a blocked or
 * unbound model, a provider error, an unusable answer — is an outcome, not an exception: the
 * caller then falls back to the deterministic plan. Provider credentials stay in the runtime;
 * what is reported here is the platform's scrubbed error text.
 */
@Injectable()
export class ModelPlanner {
  private readonly logger = new Logger(ModelPlanner.name);

  constructor(private readonly runtime: PlatformRuntimeService) {}

  async propose(context: FixContext): Promise<PlannerOutcome> {
    let content: string | null | undefined;
    let model: string;
    try {
      // An internal call of the platform (not the caller's own inference): usage is booked to the workspace.
      const { completion } = await this.runtime.chat(
        {
          messages: [
            { role: 'system', content: INSTRUCTIONS },
            { role: 'user', content: JSON.stringify(promptInput(context)) },
          ],
          temperature: 0,
          max_tokens: FIX_MODEL_MAX_TOKENS,
        },
        { workspaceId: context.workspaceId },
      );
      model = String(completion.model);
      content = completion.choices[0]?.message?.content;
    } catch (err) {
      if (err instanceof AppException && PLATFORM_CODES.has(err.code)) {
        this.logger.log(`fix agent falls back: ${err.code}`);
        return { ok: false, reason: err.code, detail: err.message, model: null };
      }
      throw err;
    }
    const answer = readModelAnswer(content, context.agent.spec);
    if (!answer.ok) {
      return {
        ok: false,
        reason: FallbackReason.InvalidModelOutput,
        detail: `Model ${model}: ${answer.problem}`,
        model,
      };
    }
    return { ok: true, draft: answer.draft, model };
  }
}

/** The user message: the context without what the model must not change (display name, model selection). */
function promptInput(context: FixContext) {
  const { spec } = context.agent;
  return {
    incident: context.incident,
    evidence: context.evidence,
    agent: {
      key: context.agent.key,
      version: context.agent.version,
      definition: { system_prompt: spec.system_prompt, tool_policy: spec.tool_policy, workflow: spec.workflow },
    },
  };
}
