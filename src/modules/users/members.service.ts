import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { Principal, WorkspaceRole } from 'src/modules/auth/principal';
import { ApiKeyPrincipalCache } from './api-key-principal-cache';
import { AuditLogService } from './audit-log.service';
import { AddMemberDto, MemberResponseDto, UpdateMemberDto } from './dto/member.dto';
import { MembershipEntity } from './entities/membership.entity';
import { UsersErrorCode, UsersException } from './users.exception';
import { UsersRepository } from './users.repository';
import { WorkspaceAccessService } from './workspace-access.service';

/** Who belongs to a workspace and with which role. Owners and admins manage; every change is audited. */
@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly access: WorkspaceAccessService,
    private readonly audit: AuditLogService,
    private readonly principals: ApiKeyPrincipalCache,
  ) {}

  async list(principal: Principal, workspaceId: string): Promise<MemberResponseDto[]> {
    await this.access.roleIn(principal, workspaceId);
    const rows = await this.users.listMembers(workspaceId);
    return rows.map((row) => this.toResponse(row));
  }

  async add(principal: Principal, workspaceId: string, dto: AddMemberDto): Promise<MemberResponseDto> {
    const callerRole = await this.access.require(principal, workspaceId, 'admin');
    this.access.assertCanGrant(principal, callerRole, dto.role);
    const user = await this.users.getByEmail(dto.email);
    if (!user) {
      throw new UsersException(HttpStatus.NOT_FOUND, UsersErrorCode.UserNotFound, `No user with email ${dto.email}`);
    }
    if (await this.users.getMembership(workspaceId, user.id)) {
      throw new UsersException(HttpStatus.CONFLICT, UsersErrorCode.AlreadyMember, `${dto.email} is already a member`);
    }
    await this.dataSource.transaction(async (manager) => {
      await this.users.addMembership(workspaceId, user.id, dto.role, manager);
      await this.record(principal, workspaceId, 'membership.added', user.id, { role: dto.role }, manager);
    });
    return this.getMember(workspaceId, user.id);
  }

  async changeRole(
    principal: Principal,
    workspaceId: string,
    userId: string,
    dto: UpdateMemberDto,
  ): Promise<MemberResponseDto> {
    const callerRole = await this.access.require(principal, workspaceId, 'admin');
    const current = await this.getMembership(workspaceId, userId);
    this.access.assertCanGrant(principal, callerRole, dto.role);
    this.access.assertCanGrant(principal, callerRole, current.role);
    await this.dataSource.transaction(async (manager) => {
      if (current.role === 'owner' && dto.role !== 'owner') await this.assertNotLastOwner(workspaceId, manager);
      await this.users.setRole(workspaceId, userId, dto.role, manager);
      await this.record(
        principal,
        workspaceId,
        'membership.role_changed',
        userId,
        { from: current.role, to: dto.role },
        manager,
      );
    });
    this.principals.invalidate();
    return this.getMember(workspaceId, userId);
  }

  async remove(principal: Principal, workspaceId: string, userId: string): Promise<void> {
    const callerRole = await this.access.require(
      principal,
      workspaceId,
      userId === principal.userId ? 'viewer' : 'admin',
    );
    const current = await this.getMembership(workspaceId, userId);
    if (userId !== principal.userId) this.access.assertCanGrant(principal, callerRole, current.role);
    await this.dataSource.transaction(async (manager) => {
      if (current.role === 'owner') await this.assertNotLastOwner(workspaceId, manager);
      await this.users.removeMembership(workspaceId, userId, manager);
      await this.record(principal, workspaceId, 'membership.removed', userId, { role: current.role }, manager);
    });
    this.principals.invalidate();
  }

  private async getMember(workspaceId: string, userId: string): Promise<MemberResponseDto> {
    const row = (await this.users.listMembers(workspaceId)).find((m) => m.userId === userId);
    if (!row) throw new NotFoundAppException('Member', userId);
    return this.toResponse(row);
  }

  private async getMembership(workspaceId: string, userId: string): Promise<MembershipEntity> {
    const row = await this.users.getMembership(workspaceId, userId);
    if (!row) throw new NotFoundAppException('Member', userId);
    return row;
  }

  /** A workspace keeps at least one owner; checked under a row lock so two demotions cannot race. */
  private async assertNotLastOwner(workspaceId: string, manager: EntityManager): Promise<void> {
    if ((await this.users.lockAndCountOwners(workspaceId, manager)) <= 1) {
      throw new UsersException(
        HttpStatus.CONFLICT,
        UsersErrorCode.LastOwner,
        'A workspace must keep at least one owner',
      );
    }
  }

  private record(
    principal: Principal,
    workspaceId: string,
    action: string,
    userId: string,
    data: { role?: WorkspaceRole; from?: WorkspaceRole; to?: WorkspaceRole },
    manager: EntityManager,
  ) {
    return this.audit.record(
      principal,
      { workspaceId, action, targetType: 'membership', targetId: userId, data },
      manager,
    );
  }

  private toResponse(row: MembershipEntity): MemberResponseDto {
    return {
      user_id: row.userId,
      email: row.user?.email ?? '',
      display_name: row.user?.displayName ?? null,
      role: row.role,
      joined_at: row.createdAt.toISOString(),
    };
  }
}
