import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { CREDENTIAL_REF_PREFIX } from '../modelops.constants';
import { isUniqueViolation, ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';
import { ModelsRepository } from '../models/models.repository';
import { CredentialReferenceRegistry } from '../references/model-reference.registry';
import { CredentialsRepository } from './credentials.repository';
import { CredentialResponseDto, SaveCredentialDto } from './dto/credential.dto';
import { CredentialEntity } from './entities/credential.entity';
import { maskSecret, openSecret, sealSecret } from './envelope';
import { KekRing } from './key-ring';

const CREDENTIAL_REF = new RegExp(`^${CREDENTIAL_REF_PREFIX.replace(/[/.]/g, '\\$&')}([0-9a-f-]{36})$`, 'i');

/**
 * Saved provider credentials: envelope-encrypted at rest, shown only as a mask, decrypted only
 * for outbound calls (`resolveSecret`: validation, tests, and platform-control's secret refs).
 */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger(CredentialsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialsRepository,
    private readonly models: ModelsRepository,
    private readonly keks: KekRing,
    private readonly references: CredentialReferenceRegistry,
    private readonly audit: AuditLogService,
  ) {}

  async list(): Promise<CredentialResponseDto[]> {
    return (await this.credentials.list()).map((row) => this.toResponse(row));
  }

  /**
   * Creates the credential, or updates the one of that name. Echoing the stored mask keeps the
   * stored secret; a new secret gets a new data key and makes the validations of the models that
   * use the credential stale (they checked the old secret).
   */
  async save(principal: Principal, dto: SaveCredentialDto): Promise<CredentialResponseDto> {
    const kek = await this.keks.current();
    try {
      const row = await this.dataSource.transaction(async (manager) => {
        const existing = await this.credentials.getByNameForUpdate(dto.name, manager);
        const now = new Date();
        if (!existing) {
          const id = randomUUID();
          const created = await this.credentials.insert(
            {
              id,
              name: dto.name,
              provider: dto.provider,
              description: dto.description ?? null,
              secretMask: maskSecret(dto.secret),
              ...sealSecret(dto.secret, id, kek),
              createdByUserId: principal.userId,
              secretUpdatedAt: now,
            },
            manager,
          );
          await this.record(principal, 'modelops.credential.created', created, { secret_changed: true }, manager);
          return created;
        }
        const secretChanged = dto.secret !== existing.secretMask;
        await this.credentials.update(
          existing.id,
          {
            provider: dto.provider,
            description: dto.description === undefined ? existing.description : dto.description,
            ...(secretChanged
              ? {
                  secretMask: maskSecret(dto.secret),
                  ...sealSecret(dto.secret, existing.id, kek),
                  secretUpdatedAt: now,
                }
              : {}),
          },
          manager,
        );
        if (secretChanged) {
          const users = await this.models.listByCredential(existing.id);
          await this.models.invalidateValidations(
            users.map((m) => m.id),
            manager,
          );
        }
        await this.record(
          principal,
          'modelops.credential.updated',
          existing,
          { secret_changed: secretChanged },
          manager,
        );
        return (await this.credentials.getById(existing.id, manager))!;
      });
      this.logger.log(`Saved credential ${row.id} (${row.name})`);
      return this.toResponse(row);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ModelOpsException(
          HttpStatus.CONFLICT,
          ModelOpsErrorCode.NameTaken,
          `A credential named ${dto.name} exists`,
        );
      }
      throw err;
    }
  }

  /** Refused (409) while a model or an upper-layer secret ref uses the credential. */
  async delete(principal: Principal, id: string): Promise<void> {
    const row = await this.credentials.getById(id);
    if (!row) throw new NotFoundAppException('Credential', id);
    const usedBy = [
      ...(await this.models.listByCredential(id)).map((m) => `model "${m.name}" (${m.id})`),
      ...(await this.references.referencesTo(id)),
    ];
    if (usedBy.length > 0) {
      throw new ModelOpsException(
        HttpStatus.CONFLICT,
        ModelOpsErrorCode.CredentialInUse,
        `Credential ${id} is in use by ${usedBy.join(', ')}`,
        { references: usedBy },
      );
    }
    await this.dataSource.transaction(async (manager) => {
      await this.credentials.delete(id, manager);
      await this.record(principal, 'modelops.credential.deleted', row, {}, manager);
    });
  }

  /**
   * The decrypted secret of a credential, for an outbound call only: never log it or return it.
   * 404 when there is no such credential; 500 `credential_undecryptable` when no configured
   * key-encryption key unwraps it (or the row was tampered with).
   */
  async resolveSecret(credentialId: string): Promise<string> {
    const row = await this.credentials.getById(credentialId);
    if (!row) throw new NotFoundAppException('Credential', credentialId);
    const keks = await this.keks.candidates(row.kekVersion);
    try {
      return openSecret(row, row.id, keks);
    } catch {
      this.logger.error(`Credential ${row.id} cannot be decrypted (key-encryption key version ${row.kekVersion})`);
      throw new ModelOpsException(
        HttpStatus.INTERNAL_SERVER_ERROR,
        ModelOpsErrorCode.CredentialUndecryptable,
        `Credential ${row.id} cannot be decrypted with the configured key-encryption keys`,
      );
    }
  }

  /** `modelops://credential/<id>` → the secret (see `resolveSecret`); 422 for another form of ref. */
  async resolveSecretRef(ref: string): Promise<string> {
    const match = CREDENTIAL_REF.exec(ref);
    if (!match) {
      throw new ModelOpsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        ModelOpsErrorCode.InvalidModelConfig,
        `A credential ref reads ${CREDENTIAL_REF_PREFIX}<credential-id>`,
      );
    }
    return this.resolveSecret(match[1].toLowerCase());
  }

  private record(
    principal: Principal,
    action: string,
    row: CredentialEntity,
    data: Record<string, unknown>,
    manager: Parameters<AuditLogService['record']>[2],
  ): Promise<void> {
    return this.audit.record(
      principal,
      {
        workspaceId: null,
        action,
        targetType: 'modelops_credential',
        targetId: row.id,
        data: { name: row.name, provider: row.provider, ...data },
      },
      manager,
    );
  }

  private toResponse(row: CredentialEntity): CredentialResponseDto {
    return {
      id: row.id,
      name: row.name,
      provider: row.provider,
      description: row.description,
      secret_mask: row.secretMask,
      secret_ref: `${CREDENTIAL_REF_PREFIX}${row.id}`,
      kek_version: row.kekVersion,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
      secret_updated_at: row.secretUpdatedAt.toISOString(),
    };
  }
}
