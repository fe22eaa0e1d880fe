import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { EnvironmentVariables, validateEnvironment } from './env.validation';

describe('environment validation', () => {
  it('starts on an empty environment with the embedded defaults', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: './data', RUN_PROCESSORS: true });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('converts numbers and booleans from their text form', () => {
    expect(validateEnvironment({ PORT: '8080', RUN_PROCESSORS: 'false' })).toMatchObject({
      PORT: 8080,
      RUN_PROCESSORS: false,
    });
  });

  it('stops with one line per bad variable naming it and what it accepts, without echoing values', () => {
    const attempt = () =>
      validateEnvironment({ PORT: 'eighty', DATABASE_URL: 'mysql://secret-password@db', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow();
    const lines = (() => {
      try {
        attempt();
        return [];
      } catch (error) {
        return (error as Error).message.split('\n');
      }
    })();
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Invalid environment variable PORT: /),
        expect.stringMatching(/^Invalid environment variable DATABASE_URL: must be a postgres/),
        expect.stringMatching(/^Invalid environment variable LOG_LEVEL: /),
      ]),
    );
    expect(lines.join('\n')).not.toContain('secret-password');
  });

  it('requires an audience when an OIDC issuer is configured', () => {
    expect(() => validateEnvironment({ OIDC_ISSUER_URL: 'https://login.example.com' })).toThrow(/OIDC_AUDIENCE/);
  });

  it('is documented: every variable appears in the README configuration table', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const variables = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
        .map((m) => m.propertyName),
    );
    const missing = [...variables].filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
