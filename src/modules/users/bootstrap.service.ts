import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { AllConfig } from 'src/config/configuration';
import { generateApiKey } from 'src/modules/auth/api-key.format';
import { ApiKeysRepository } from './api-keys.repository';
import { AuditLogService } from './audit-log.service';
import { UsersRepository } from './users.repository';
import { WorkspacesRepository } from './workspaces.repository';

const BOOTSTRAP_LOCK_ID = 4_242_002;

export interface BootstrapResult {
  created: boolean;
  email: string;
  workspaceSlug: string;
  key: string;
}

/**
 * First start on an empty database: a superadmin, a default workspace and project, and one API
 * key printed once, the way other servers print an initial admin password. Later starts print
 * nothing. `flightdeck bootstrap` (src/cli.ts) runs the same on demand.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);
  /** True when this process set up the empty database at startup (and printed its key). */
  bootstrappedAtStartup = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditLogService,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const result = await this.ensureInitialAdmin({ issueKeyIfPresent: false });
    if (!result) return;
    this.bootstrappedAtStartup = true;
    printInitialKey(result);
  }

  /**
   * Creates the initial superadmin when there are no users. With `issueKeyIfPresent`, an existing
   * superadmin of that email gets a fresh key instead (recovering access from the command line).
   */
  async ensureInitialAdmin(options: { issueKeyIfPresent: boolean }): Promise<BootstrapResult | null> {
    const email = this.config.getOrThrow('app', { infer: true }).bootstrapAdminEmail;
    return this.dataSource.transaction(async (manager) => {
      // Several replicas may start at once on an empty database: one of them bootstraps.
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_ID]);
      const existing = await this.users.getByEmail(email, manager);
      if ((await this.users.countAll(manager)) > 0 && !(options.issueKeyIfPresent && existing)) return null;

      const user =
        existing ?? (await this.users.create({ email, displayName: 'Flightdeck admin', isSuperadmin: true }, manager));
      if (!user.isSuperadmin) await this.users.update(user.id, { isSuperadmin: true }, manager);
      const workspace =
        (await this.workspaces.getWorkspaceBySlug('default')) ??
        (await this.workspaces.createWorkspace({ name: 'Default', slug: 'default' }, manager));
      if (!(await this.users.getMembership(workspace.id, user.id, manager))) {
        await this.users.addMembership(workspace.id, user.id, 'owner', manager);
      }
      if (!(await this.workspaces.getProjectBySlug(workspace.id, 'default'))) {
        await this.workspaces.createProject(
          { workspaceId: workspace.id, name: 'Default', slug: 'default', description: 'Created at first start' },
          manager,
        );
      }
      const generated = generateApiKey();
      const key = await this.keys.create(
        {
          workspaceId: workspace.id,
          userId: user.id,
          name: existing ? 'bootstrap (reissued)' : 'bootstrap',
          displayPrefix: generated.displayPrefix,
          keyHash: generated.hash,
        },
        manager,
      );
      await this.audit.record(
        null,
        {
          workspaceId: workspace.id,
          action: 'api_key.created',
          targetType: 'api_key',
          targetId: key.id,
          data: { name: key.name, prefix: generated.displayPrefix, bootstrap: true },
        },
        manager,
      );
      this.logger.log(`Bootstrapped superadmin ${email} in workspace "default" (key ${generated.displayPrefix}…)`);
      return { created: !existing, email, workspaceSlug: workspace.slug, key: generated.key };
    });
  }
}

/** Straight to the terminal, never through the logger: log pipelines must not carry keys. */
export function printInitialKey(result: BootstrapResult): void {
  process.stdout.write(
    [
      '',
      '================================================================',
      ` Flightdeck superadmin: ${result.email} (workspace "${result.workspaceSlug}")`,
      ` API key (shown once, store it now): ${result.key}`,
      ` Try: curl -H "X-API-Key: ${result.key}" http://localhost:<port>/v1/users/me`,
      '================================================================',
      '',
    ].join('\n') + '\n',
  );
}
