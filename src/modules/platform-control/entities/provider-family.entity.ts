import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AdapterKind, Capability, ProviderOrigin } from '../platform-control.constants';

/**
 * An implementation family (vLLM, Qdrant, an OpenAI-compatible cloud…). Seeded by the migration
 * and read-only: its origin (local or cloud) is inherited by every instance and never edited.
 */
@Entity('platform_provider_families')
export class ProviderFamilyEntity {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'text' })
  displayName: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text' })
  providerOrigin: ProviderOrigin;

  @Column({ type: 'text' })
  adapter: AdapterKind;

  /** The capabilities an instance of this family may serve (an instance picks one). */
  @Column({ type: 'text', array: true })
  capabilities: Capability[];

  /** False for families that live inside Flightdeck's own PostgreSQL (pgvector_local). */
  @Column({ type: 'boolean', default: true })
  requiresEndpoint: boolean;

  @Column({ type: 'integer', default: 0 })
  sortOrder: number;
}
