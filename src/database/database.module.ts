import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { env, type AllConfig } from 'src/config/configuration';
import { buildDataSourceOptions, runMigrationsLocked } from './data-source-options';
import { DatabaseUrlProvider } from './database-url.provider';

@Module({ providers: [DatabaseUrlProvider], exports: [DatabaseUrlProvider] })
class DatabaseUrlModule {}

/** The data source (and the embedded engine behind it when there is no DATABASE_URL). */
@Global()
@Module({
  exports: [DatabaseUrlModule],
  imports: [
    DatabaseUrlModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseUrlModule],
      inject: [ConfigService, DatabaseUrlProvider],
      useFactory: async (config: ConfigService<AllConfig, true>, urls: DatabaseUrlProvider) => {
        const { poolSize } = config.getOrThrow('database', { infer: true });
        return { ...buildDataSourceOptions(await urls.resolve(), poolSize), entities: [], autoLoadEntities: true };
      },
      // Migrations finish before any repository exists, so no provider ever sees an old schema.
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        if (env().DATABASE_MIGRATIONS_RUN) await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
