import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { UnsupportedMediaTypeAppException } from 'src/common/errors/app.exception';
import { CONSUMES_KEY, JSON_MEDIA_TYPES } from './consumes.decorator';

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** A body in a media type the route does not consume is 415, before validation runs. */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!hasBody(req)) return true;
    const accepted =
      this.reflector.getAllAndOverride<string[]>(CONSUMES_KEY, [context.getHandler(), context.getClass()]) ??
      JSON_MEDIA_TYPES;
    if (req.is(accepted)) return true;
    throw new UnsupportedMediaTypeAppException(
      `Content-Type ${req.headers['content-type'] ?? '(none)'} is not supported here; use ${accepted.join(' or ')}`,
    );
  }
}
