import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { PLAN_TARGETS, PROPOSAL_STATUSES, type PlanTarget, type ProposalStatus } from '../fix-agent.constants';

export class CreateFixProposalDto {
  /**
   * The affected agent to fix (its name as sessions report it). Required only when the incident
   * affected several agents; it must be one of them.
   */
  @ApiPropertyOptional({ example: 'checkout-agent' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  agent?: string;
}

export class PlanStepDto {
  @ApiProperty({ example: 'Add a guardrail to the system prompt' })
  title: string;

  detail: string;

  @ApiProperty({ enum: PLAN_TARGETS })
  target: PlanTarget;
}

export class FixProposalResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  incident_id: string;

  /** The catalog agent (`/v1/catalog/agents/{id}`) the diff is against. */
  @ApiProperty({ format: 'uuid' })
  agent_id: string;

  @ApiProperty({ example: 'agent.checkout' })
  agent_key: string;

  /** The registry version of the agent the diff was made against. */
  base_version: number;

  @ApiProperty({ type: [PlanStepDto] })
  plan: PlanStepDto[];

  /**
   * Unified diff from the canonical definition of `base_version` (`a/<key>.json`: the registry
   * spec as JSON with sorted keys, two-space indent, the system prompt as an array of lines) to
   * the proposed one (`b/<key>.json`). Empty when nothing would change.
   */
  @ApiProperty({ example: '--- a/agent.checkout.json\tversion 3\n+++ b/agent.checkout.json\tproposed\n@@ ...' })
  diff: string;

  /** True: the deterministic plan of the incident's detector (no model was usable); `reason` says why. */
  fallback: boolean;

  /**
   * Why the fallback: the platform runtime's error code (`offline_provider_blocked`,
   * `no_active_deployment`, `capability_not_configured`, `model_not_bound`, `provider_unreachable`, ...)
   * or `invalid_model_output` / `model_proposed_no_change`.
   */
  @ApiProperty({ type: String, nullable: true, example: 'offline_provider_blocked' })
  reason: string | null;

  @ApiProperty({ type: String, nullable: true })
  reason_detail: string | null;

  /** The managed model (ModelOps id) that answered. */
  @ApiProperty({ type: String, nullable: true })
  model: string | null;

  @ApiProperty({ enum: PROPOSAL_STATUSES })
  status: ProposalStatus;

  /** The registry version applying the proposal wrote. */
  @ApiProperty({ type: Number, nullable: true })
  applied_version: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  applied_at: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  applied_by: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  created_by: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class FixProposalPageDto {
  @ApiProperty({ type: [FixProposalResponseDto] })
  data: FixProposalResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
