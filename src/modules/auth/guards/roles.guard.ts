import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenAppException } from 'src/common/errors/app.exception';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';
import { ROLES_KEY } from '../decorators/roles.decorator';
import { hasRole, RequiredRole } from '../principal';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The declared role, or by default: viewer to read, member to write. */
export function requiredRoleFor(declared: RequiredRole | undefined, method: string): RequiredRole {
  return declared ?? (READ_METHODS.has(method.toUpperCase()) ? 'viewer' : 'member');
}

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const principal = req.user;
    if (!principal) return false;
    const required = requiredRoleFor(this.reflector.getAllAndOverride<RequiredRole>(ROLES_KEY, targets), req.method);
    if (hasRole(principal, required)) return true;
    throw new ForbiddenAppException(
      required === 'superadmin' ? 'This route is for superadmins' : `This route needs the ${required} role or higher`,
      'insufficient_role',
    );
  }
}
