import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { WorkspaceRole } from 'src/modules/auth/principal';
import { MembershipEntity } from './entities/membership.entity';
import { UserEntity } from './entities/user.entity';

/** Users and their memberships. Users are platform-wide; memberships are workspace rows. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(MembershipEntity) private readonly memberships: Repository<MembershipEntity>,
  ) {}

  getById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  getByEmail(email: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.repo(manager).findOneBy({ email: email.toLowerCase() });
  }

  getByIdentity(issuer: string, subject: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ oidcIssuer: issuer, oidcSubject: subject });
  }

  countAll(manager?: EntityManager): Promise<number> {
    return this.repo(manager).count();
  }

  create(data: Partial<UserEntity>, manager?: EntityManager): Promise<UserEntity> {
    const repo = this.repo(manager);
    return repo.save(repo.create({ ...data, email: data.email?.toLowerCase() }));
  }

  async update(id: string, changes: Partial<UserEntity>, manager?: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, changes);
  }

  getMembership(workspaceId: string, userId: string, manager?: EntityManager): Promise<MembershipEntity | null> {
    return this.membershipRepo(manager).findOneBy({ workspaceId, userId });
  }

  /** The user's memberships with their workspaces, oldest first (the first is the default). */
  listMembershipsOfUser(userId: string): Promise<MembershipEntity[]> {
    return this.memberships.find({ where: { userId }, relations: { workspace: true }, order: { createdAt: 'ASC' } });
  }

  listMembers(workspaceId: string): Promise<MembershipEntity[]> {
    return this.memberships.find({ where: { workspaceId }, relations: { user: true }, order: { createdAt: 'ASC' } });
  }

  /** Locks the owner rows for the rest of the transaction, then counts them. */
  async lockAndCountOwners(workspaceId: string, manager: EntityManager): Promise<number> {
    const rows: unknown[] = await manager.query(
      `SELECT id FROM memberships WHERE workspace_id = $1 AND role = 'owner' FOR UPDATE`,
      [workspaceId],
    );
    return rows.length;
  }

  addMembership(workspaceId: string, userId: string, role: WorkspaceRole, manager?: EntityManager) {
    const repo = this.membershipRepo(manager);
    return repo.save(repo.create({ workspaceId, userId, role }));
  }

  async setRole(workspaceId: string, userId: string, role: WorkspaceRole, manager?: EntityManager): Promise<void> {
    await this.membershipRepo(manager).update({ workspaceId, userId }, { role });
  }

  async removeMembership(workspaceId: string, userId: string, manager?: EntityManager): Promise<void> {
    await this.membershipRepo(manager).delete({ workspaceId, userId });
  }

  private repo(manager?: EntityManager) {
    return manager ? manager.getRepository(UserEntity) : this.users;
  }

  private membershipRepo(manager?: EntityManager) {
    return manager ? manager.getRepository(MembershipEntity) : this.memberships;
  }
}
