import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import type { AllConfig } from 'src/config/configuration';

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'] as const;
export const SYMMETRIC_ALGORITHMS = ['HS256'] as const;

interface Discovery {
  issuer: string;
  jwks_uri: string;
}

/** The expected issuer and audience of a token, by where its key came from. */
export interface TokenSource {
  issuer?: string;
  audience?: string;
}

/**
 * Picks the verification key of a token by its algorithm, never across kinds: an HS256 token is
 * checked only against JWT_SECRET, an RS256/ES256 one only against the issuer's JWKS (this is
 * what defeats algorithm-confusion attacks). OIDC discovery and keys are fetched lazily and cached.
 */
@Injectable()
export class OidcKeysService {
  private readonly logger = new Logger(OidcKeysService.name);
  private discovery?: Promise<Discovery>;
  private jwks?: JwksClient;

  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  private get auth() {
    return this.config.getOrThrow('auth', { infer: true });
  }

  async keyFor(rawToken: string): Promise<{ key: string; source: TokenSource }> {
    const decoded = jwt.decode(rawToken, { complete: true });
    const alg = decoded?.header.alg;
    if ((SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg ?? '')) {
      if (!this.auth.jwtSecret) throw new Error('HS256 tokens are not enabled');
      return { key: this.auth.jwtSecret, source: { issuer: this.auth.jwtIssuer, audience: this.auth.jwtAudience } };
    }
    if ((ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg ?? '')) {
      if (!this.auth.oidcIssuerUrl) throw new Error('OIDC is not configured');
      const discovery = await this.loadDiscovery();
      const signingKey = await this.jwksClient(discovery).getSigningKey(decoded?.header.kid);
      return { key: signingKey.getPublicKey(), source: { issuer: discovery.issuer, audience: this.auth.oidcAudience } };
    }
    throw new Error('Unsupported token algorithm');
  }

  private loadDiscovery(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const url = `${this.auth.oidcIssuerUrl}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
      const body = (await response.json()) as Discovery;
      if (!body.issuer || !body.jwks_uri) throw new Error('OIDC discovery document lacks issuer or jwks_uri');
      return body;
    })().catch((error: unknown) => {
      this.discovery = undefined; // retry on the next token rather than failing forever
      this.logger.warn(`OIDC discovery failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    });
    return this.discovery;
  }

  private jwksClient(discovery: Discovery): JwksClient {
    this.jwks ??= new JwksClient({
      jwksUri: discovery.jwks_uri,
      cache: true,
      cacheMaxAge: 10 * 60 * 1000,
      rateLimit: true,
      jwksRequestsPerMinute: 10,
      timeout: 5000,
    });
    return this.jwks;
  }
}
