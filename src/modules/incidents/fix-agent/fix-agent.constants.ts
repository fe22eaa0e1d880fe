import type { AgentSpec } from 'src/modules/catalog/registry/specs';

/** What a plan step changes: a part of the agent definition, or something a person must look into. */
export const PLAN_TARGETS = ['system_prompt', 'tool_policy', 'workflow', 'model_selection', 'investigation'] as const;
export type PlanTarget = (typeof PLAN_TARGETS)[number];

export interface PlanStep {
  title: string;
  detail: string;
  target: PlanTarget;
}

/** A plan and the definition it leads to. */
export interface FixDraft {
  plan: PlanStep[];
  spec: AgentSpec;
}

/** What the fix agent knows of the incident it fixes. */
export interface IncidentFacts {
  id: string;
  detector: string;
  label: string;
  signature: string;
  title: string;
}

export const PROPOSAL_STATUSES = ['proposed', 'applied'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/**
 * Why a proposal is the deterministic fallback: the runtime could not give a model (its error
 * code, e.g. `offline_provider_blocked`, `no_active_deployment`, `capability_not_configured`),
 * the provider failed (`provider_unreachable`, `provider_timeout`, ...), or the model's answer
 * was unusable.
 */
export const FallbackReason = {
  InvalidModelOutput: 'invalid_model_output',
  ModelProposedNoChange: 'model_proposed_no_change',
} as const;

/** Sample sessions whose evidence goes into the model's prompt. */
export const FIX_SAMPLE_SESSIONS = 5;
/** Evidence events quoted per sample session (the critical step first). */
export const FIX_EVIDENCE_EVENTS = 8;
/** Characters of one event's payload quoted in the prompt. */
export const FIX_EVENT_PAYLOAD_CHARS = 800;
/** Tokens the model may answer with: room for a whole revised system prompt. */
export const FIX_MODEL_MAX_TOKENS = 8_192;
/** Plan steps kept from a model's answer. */
export const FIX_MAX_PLAN_STEPS = 12;

/** Heading of the section of the system prompt that deterministic fixes append their guards to. */
export const GUARDRAILS_HEADING = '## Guardrails from incident fixes';
