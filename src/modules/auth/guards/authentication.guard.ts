import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AppException } from 'src/common/errors/app.exception';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';
import { apiKeyFromRequest, jwtFromRequest } from '../credentials';
import type { Principal } from '../principal';
import { API_KEY_STRATEGY } from '../strategies/api-key.strategy';
import { JWT_STRATEGY } from '../strategies/jwt.strategy';

/** Every route needs an API key or a JWT unless it is marked @Public(). */
@Injectable()
export class AuthenticationGuard extends AuthGuard([API_KEY_STRATEGY, JWT_STRATEGY]) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<T = Principal>(err: unknown, user: T | false, _info: unknown, context: ExecutionContext): T {
    if (user && !err) return user;
    const req = context.switchToHttp().getRequest<Request>();
    const hasCredentials = apiKeyFromRequest(req) !== undefined || jwtFromRequest(req) !== null;
    throw new AppException(
      HttpStatus.UNAUTHORIZED,
      'unauthorized',
      hasCredentials
        ? 'The credentials are invalid, expired or revoked'
        : 'Authentication required: send X-API-Key or Authorization: Bearer',
    );
  }
}
