import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import type { AllConfig } from 'src/config/configuration';
import { jwtFromRequest, WORKSPACE_HEADER } from '../credentials';
import { ASYMMETRIC_ALGORITHMS, OidcKeysService, SYMMETRIC_ALGORITHMS, TokenSource } from '../oidc-keys.service';
import type { Principal } from '../principal';
import { PrincipalResolver } from '../principal-resolver';

export const JWT_STRATEGY = 'jwt';

type Claims = Record<string, unknown> & { iss?: string; sub?: string; aud?: string | string[] };
type RequestWithSource = Request & { tokenSource?: TokenSource };

const asString = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** SSO tokens: RS256/ES256 from the OIDC issuer, or HS256 signed with JWT_SECRET. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    private readonly resolver: PrincipalResolver,
    private readonly config: ConfigService<AllConfig, true>,
    keys: OidcKeysService,
  ) {
    super({
      jwtFromRequest,
      algorithms: [...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS],
      passReqToCallback: true,
      jsonWebTokenOptions: { clockTolerance: config.getOrThrow('auth', { infer: true }).clockToleranceSeconds },
      secretOrKeyProvider: (req: RequestWithSource, rawToken: string, done: (e: unknown, key?: string) => void) => {
        keys.keyFor(rawToken).then(
          ({ key, source }) => {
            req.tokenSource = source;
            done(null, key);
          },
          (error: unknown) => done(error),
        );
      },
    });
  }

  async validate(req: RequestWithSource, claims: Claims): Promise<Principal | false> {
    const source = req.tokenSource ?? {};
    if (source.issuer && claims.iss !== source.issuer) return false;
    if (source.audience) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(source.audience)) return false;
    }
    const subject = asString(claims.sub);
    if (!subject) return false;
    const auth = this.config.getOrThrow('auth', { infer: true });
    const header = req.headers[WORKSPACE_HEADER];
    return (
      (await this.resolver.resolveJwt({
        issuer: claims.iss ?? 'flightdeck',
        subject,
        email: asString(claims.email),
        name: asString(claims.name),
        workspace: asString(claims[auth.workspaceClaim]),
        requestedWorkspace: asString(header),
        role: asString(claims[auth.roleClaim]),
        isSuperadmin: isTruthyClaim(claims[auth.superadminClaim]),
      })) ?? false
    );
  }
}

function isTruthyClaim(value: unknown): boolean {
  if (value === true || value === 'true') return true;
  return Array.isArray(value) && value.includes('superadmin');
}
