import { Global, Logger, Module } from '@nestjs/common';
import { ConditionalModule, ConfigService } from '@nestjs/config';
import { AppConfigService, storageConfig } from 'src/config/configuration';
import { LocalStorageController } from 'src/storage/local-storage.controller';
import { LocalObjectStorage } from 'src/storage/local.driver';
import { ObjectStorage } from 'src/storage/object-storage';
import type { S3ObjectStorage } from 'src/storage/s3.driver';

/** The S3 driver when `storage.s3` is configured (S3_BUCKET), else local files under DATA_DIR. */
export function createObjectStorage(config: AppConfigService): ObjectStorage {
  const storage = config.getOrThrow('storage', { infer: true });
  if (storage.s3) {
    // Loaded only when used: the AWS SDK costs ~20 MB of memory a process that stores locally saves.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { S3ObjectStorage: Driver } = require('./s3.driver') as { S3ObjectStorage: typeof S3ObjectStorage };
    return new Driver({
      s3: storage.s3,
      signedUrlTtlSeconds: storage.signedUrlTtlSeconds,
    });
  }
  const app = config.getOrThrow('app', { infer: true });
  return new LocalObjectStorage({
    dataDir: app.dataDir,
    publicUrl: app.publicUrl,
    signedUrlTtlSeconds: storage.signedUrlTtlSeconds,
    signingSecret: storage.signingSecret,
  });
}

/** The signed download route of the local driver. */
@Module({ controllers: [LocalStorageController] })
export class LocalStorageHttpModule {}

/**
 * Object storage for every module: inject `ObjectStorage`. The local download route is mounted
 * only when no S3 bucket is configured; the choice is made once the validated config is loaded.
 */
@Global()
@Module({
  imports: [
    ConditionalModule.registerWhen(
      LocalStorageHttpModule,
      () => {
        const local = storageConfig().s3 === undefined;
        if (!local) Logger.log('S3 is configured: the local storage download route is not mounted', 'StorageModule');
        return local;
      },
      { debug: false },
    ),
  ],
  providers: [
    {
      provide: ObjectStorage,
      useFactory: createObjectStorage,
      inject: [ConfigService],
    },
  ],
  exports: [ObjectStorage],
})
export class StorageModule {}
