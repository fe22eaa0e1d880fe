import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import {
  decodeJwt,
  OidcTestProvider,
  signHs256,
  signRs256,
  startOidcProvider,
  unsignedJwt,
} from 'test/fixtures/oidc-provider';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

const JWT_SECRET = 'oidc-e2e-secret-oidc-e2e-secret-0123456789';

/**
 * SSO against a real OpenID Connect provider (oidc-provider) on loopback: the app discovers it,
 * fetches its JWKS and accepts the access tokens it issues; forged tokens get 401.
 */
describe('OIDC (real oidc-provider on loopback)', () => {
  let idp: OidcTestProvider;
  let t: TestApp;
  /** An access token issued by the provider's token endpoint (client_credentials). */
  let providerToken: string;

  beforeAll(async () => {
    idp = await startOidcProvider();
    // The app module reads its configuration when it is loaded, inside createTestApp().
    useTestEnvironment({
      OIDC_ISSUER_URL: idp.issuer,
      OIDC_AUDIENCE: idp.audience,
      JWT_SECRET,
    });
    t = await createTestApp();
    providerToken = await idp.issueClientCredentialsToken();
  });

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);

  /** Claims a valid token of the provider would carry, for a new subject. */
  const validClaims = (overrides: Record<string, unknown> = {}) => {
    const sub = `user-${randomUUID()}`;
    return {
      iss: idp.issuer,
      aud: idp.audience,
      sub,
      email: `${sub}@example.test`,
      iat: now(),
      exp: now() + 300,
      ...overrides,
    };
  };

  /** Signed with the provider's own key, as the provider would (kid published in its JWKS). */
  const signedByProvider = (claims: Record<string, unknown>) =>
    signRs256({ typ: 'at+jwt', kid: idp.kid }, claims, idp.privateKey);

  /** Verifies with the provider's public key outside the app: shows a forged token has exactly one defect. */
  const verifyWithProviderKey = (token: string, options: jwt.VerifyOptions = {}) =>
    jwt.verify(token, idp.publicKey, { algorithms: ['RS256'], issuer: idp.issuer, audience: idp.audience, ...options });

  const me = (token: string) => request(t.http).get('/v1/users/me').set('Authorization', `Bearer ${token}`);

  /** 401 problem+json, and no user was provisioned for the token's subject. */
  async function expectUnauthorized(token: string): Promise<void> {
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401 });
    const subject = decodeJwt(token).payload.sub;
    const users: unknown[] = await t.dataSource.query('SELECT id FROM users WHERE oidc_subject = $1', [subject]);
    expect(users).toHaveLength(0);
  }

  async function userByIdentity(subject: string) {
    const rows: Array<{ id: string; email: string; is_superadmin: boolean }> = await t.dataSource.query(
      'SELECT id, email, is_superadmin FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2',
      [idp.issuer, subject],
    );
    return rows;
  }

  it('serves discovery with the loopback issuer and a JWKS holding the signing key', async () => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery.issuer).toBe(idp.issuer);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as {
      keys: Array<{ kid: string; kty: string; d?: string }>;
    };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: idp.kid, kty: 'RSA' })]);
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('issues a JWT access token for the resource (RS256, iss, aud, sub = client_id)', () => {
    const { header, payload } = decodeJwt(providerToken);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: idp.kid });
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: idp.audience,
      sub: idp.clientId,
      client_id: idp.clientId,
      email: idp.clientEmail,
    });
  });

  it('accepts the token issued by the provider and creates the user just in time', async () => {
    expect(await userByIdentity(idp.clientId)).toHaveLength(0);

    const res = await me(providerToken).expect(200);

    expect(res.body).toMatchObject({
      email: idp.clientEmail,
      is_superadmin: false,
      auth: 'jwt',
      workspace: { slug: 'default', role: 'viewer' },
    });
    const users = await userByIdentity(idp.clientId);
    expect(users).toEqual([{ id: res.body.id, email: idp.clientEmail, is_superadmin: false }]);

    // The second request finds the same user rather than creating another one.
    const again = await me(providerToken).expect(200);
    expect(again.body.id).toBe(res.body.id);
    expect(await userByIdentity(idp.clientId)).toHaveLength(1);
  });

  describe('rejects with 401 problem+json', () => {
    it('a request without credentials', async () => {
      const res = await request(t.http).get('/v1/users/me');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 401 });
    });

    it('an expired token (signed with the provider key, exp an hour ago, past the clock tolerance)', async () => {
      const token = signedByProvider(validClaims({ iat: now() - 7200, exp: now() - 3600 }));
      expect(() => verifyWithProviderKey(token, { ignoreExpiration: true })).not.toThrow();
      expect(() => verifyWithProviderKey(token, { clockTolerance: 30 })).toThrow(jwt.TokenExpiredError);
      await expectUnauthorized(token);
    });

    it('a token for another audience', async () => {
      const token = signedByProvider(validClaims({ aud: 'https://other-api.example.test' }));
      expect(() => verifyWithProviderKey(token, { audience: undefined })).not.toThrow();
      await expectUnauthorized(token);
    });

    it('a token from another issuer', async () => {
      const token = signedByProvider(validClaims({ iss: 'https://idp.attacker.example' }));
      expect(() => verifyWithProviderKey(token, { issuer: undefined })).not.toThrow();
      await expectUnauthorized(token);
    });

    it('the provider token with one payload character changed (signature kept)', async () => {
      const [header, payload, signature] = providerToken.split('.');
      const json = Buffer.from(payload, 'base64url').toString('utf8');
      const subject = `"sub":"${idp.clientId}"`;
      expect(json).toContain(subject);
      const forgedSubject = subject.slice(0, -2) + (subject.at(-2) === 'x' ? 'y' : 'x') + '"';
      const tampered = json.replace(subject, forgedSubject);
      expect(tampered).toHaveLength(json.length);
      expect([...tampered].filter((char, i) => char !== json[i])).toHaveLength(1);

      const forged = `${header}.${Buffer.from(tampered, 'utf8').toString('base64url')}.${signature}`;
      expect(() => verifyWithProviderKey(providerToken)).not.toThrow();
      expect(() => verifyWithProviderKey(forged)).toThrow('invalid signature');
      await expectUnauthorized(forged);
      // The untouched token is still good: the signature, not the token, was the problem.
      await me(providerToken).expect(200);
    });

    it('an unsigned token (alg: none)', async () => {
      await expectUnauthorized(unsignedJwt(validClaims()));
    });

    it("an HS256 token keyed with the provider's public key PEM (algorithm confusion)", async () => {
      // The PEM forms a verifier could turn the JWKS key into (SPKI or PKCS#1, with or without the final newline).
      const spki = idp.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const pkcs1 = idp.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      const secrets = [spki, spki.trimEnd(), pkcs1, pkcs1.trimEnd()];
      expect(new Set(secrets).size).toBe(4);
      for (const secret of secrets) {
        await expectUnauthorized(signHs256({ typ: 'JWT', kid: idp.kid }, validClaims(), secret));
      }
      // Control: HS256 itself is enabled, with JWT_SECRET as its only key.
      await me(signHs256({ typ: 'JWT' }, validClaims(), JWT_SECRET)).expect(200);
    });

    it('a token signed by a key the provider does not publish (unknown kid)', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await expectUnauthorized(signRs256({ typ: 'at+jwt', kid: 'not-in-the-jwks' }, validClaims(), privateKey));
      // Nor does a key the token carries itself (embedded `jwk` header) count.
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'not-in-the-jwks' };
      await expectUnauthorized(signRs256({ typ: 'at+jwt', kid: 'not-in-the-jwks', jwk }, validClaims(), privateKey));
    });

    it("a token signed by another key under the provider's kid", async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await expectUnauthorized(signRs256({ typ: 'at+jwt', kid: idp.kid }, validClaims(), privateKey));
    });
  });

  describe('role and superadmin claims', () => {
    it('flightdeck_role sets the role of a new user', async () => {
      const claims = validClaims({ flightdeck_role: 'admin' });
      const res = await me(signedByProvider(claims)).expect(200);
      expect(res.body).toMatchObject({
        email: claims.email,
        auth: 'jwt',
        is_superadmin: false,
        workspace: { slug: 'default', role: 'admin' },
      });
      const [user] = await userByIdentity(claims.sub);
      const memberships: Array<{ role: string }> = await t.dataSource.query(
        'SELECT role FROM memberships WHERE user_id = $1',
        [user.id],
      );
      expect(memberships).toEqual([{ role: 'admin' }]);
    });

    it('flightdeck_superadmin: true makes the user a superadmin', async () => {
      const claims = validClaims({ flightdeck_superadmin: true });
      const res = await me(signedByProvider(claims)).expect(200);
      expect(res.body).toMatchObject({ email: claims.email, auth: 'jwt', is_superadmin: true });
      expect(await userByIdentity(claims.sub)).toEqual([expect.objectContaining({ is_superadmin: true })]);
    });

    it('without the claims a new user is a viewer and not a superadmin', async () => {
      const res = await me(signedByProvider(validClaims())).expect(200);
      expect(res.body).toMatchObject({ is_superadmin: false, workspace: { slug: 'default', role: 'viewer' } });
    });
  });
});
