import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrincipalResolver } from 'src/modules/auth/principal-resolver';
import { ApiKeyPrincipalCache } from './api-key-principal-cache';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogService } from './audit-log.service';
import { BootstrapService } from './bootstrap.service';
import { ApiKeyEntity } from './entities/api-key.entity';
import { AuditLogEntity } from './entities/audit-log.entity';
import { MembershipEntity } from './entities/membership.entity';
import { ProjectEntity } from './entities/project.entity';
import { UserEntity } from './entities/user.entity';
import { WorkspaceEntity } from './entities/workspace.entity';
import { MembersService } from './members.service';
import { UsersPrincipalResolver } from './principal-resolver.service';
import { ProjectsController } from './projects.controller';
import { ProjectsService } from './projects.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { WorkspaceAccessService } from './workspace-access.service';
import { WorkspacesController } from './workspaces.controller';
import { WorkspacesRepository } from './workspaces.repository';
import { WorkspacesService } from './workspaces.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      UserEntity,
      WorkspaceEntity,
      ProjectEntity,
      MembershipEntity,
      ApiKeyEntity,
      AuditLogEntity,
    ]),
  ],
  controllers: [UsersController, ApiKeysController, WorkspacesController, ProjectsController],
  providers: [
    ApiKeyPrincipalCache,
    UsersRepository,
    WorkspacesRepository,
    ApiKeysRepository,
    AuditLogRepository,
    UsersService,
    ApiKeysService,
    WorkspacesService,
    MembersService,
    ProjectsService,
    AuditLogService,
    WorkspaceAccessService,
    BootstrapService,
    { provide: PrincipalResolver, useClass: UsersPrincipalResolver },
  ],
  exports: [PrincipalResolver, AuditLogService, WorkspacesRepository, UsersRepository, BootstrapService],
})
export class UsersModule {}
