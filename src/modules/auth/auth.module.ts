import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ContentTypeGuard } from 'src/common/http/content-type.guard';
import { TrackerThrottlerGuard } from 'src/common/throttling/tracker-throttler.guard';
import { AuthController } from './auth.controller';
import { AuthenticationGuard } from './guards/authentication.guard';
import { RolesGuard } from './guards/roles.guard';
import { OidcKeysService } from './oidc-keys.service';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { JwtStrategy } from './strategies/jwt.strategy';

/**
 * The global guard chain, in order: rate limit, authenticate (API key or JWT), role, content
 * type. `resolverModule` provides the PrincipalResolver (the users module), so auth stays below it.
 */
@Module({})
export class AuthModule {
  static forRoot(resolverModule: Type): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule.register({ session: false }), resolverModule],
      controllers: [AuthController],
      providers: [
        OidcKeysService,
        ApiKeyStrategy,
        JwtStrategy,
        { provide: APP_GUARD, useClass: TrackerThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: ContentTypeGuard },
      ],
    };
  }
}
