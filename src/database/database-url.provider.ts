import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { EmbeddedDatabaseHandle, startEmbeddedPostgres } from './embedded-postgres';

/** Resolves the PostgreSQL URL: DATABASE_URL, or the embedded engine it starts on demand. */
@Injectable()
export class DatabaseUrlProvider implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseUrlProvider.name);
  private embedded?: EmbeddedDatabaseHandle;

  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  async resolve(): Promise<string> {
    const { url } = this.config.getOrThrow('database', { infer: true });
    if (url) return url;
    if (!this.embedded) {
      const { dataDir } = this.config.getOrThrow('app', { infer: true });
      this.logger.log('No DATABASE_URL: using the embedded PostgreSQL engine');
      this.embedded = await startEmbeddedPostgres(dataDir);
    }
    return this.embedded.url;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
    this.embedded = undefined;
  }
}
