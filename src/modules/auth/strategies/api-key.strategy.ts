import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { apiKeyFromRequest } from '../credentials';
import type { Principal } from '../principal';
import { PrincipalResolver } from '../principal-resolver';

export const API_KEY_STRATEGY = 'api-key';

/** `X-API-Key: tp_live_...` or `Authorization: Bearer tp_live_...`. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, API_KEY_STRATEGY) {
  constructor(private readonly resolver: PrincipalResolver) {
    super();
  }

  async validate(req: Request): Promise<Principal | false> {
    const key = apiKeyFromRequest(req);
    if (!key) return false;
    return (await this.resolver.resolveApiKey(key)) ?? false;
  }
}
