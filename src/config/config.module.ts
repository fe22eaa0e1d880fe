import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { allConfigs, env } from './configuration';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      // .env is loaded by load-env.ts before anything else; validation happens in env().
      ignoreEnvFile: true,
      load: allConfigs,
      validate: (raw) => {
        env();
        return raw;
      },
    }),
  ],
})
export class AppConfigModule {}
