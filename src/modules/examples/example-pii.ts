import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { PermanentBuildError } from './examples.exception';
import { type PiiPattern, PiiRedactor, resolvePiiPatterns } from './transform/pii';

/**
 * The configured PII patterns (EXAMPLES_PII_PATTERNS, EXAMPLES_PII_CUSTOM_PATTERNS), compiled
 * once when the module starts: an unknown name or a pattern that does not compile stops the
 * start rather than the first build that asks for redaction.
 */
@Injectable()
export class ExamplePiiPatterns {
  private readonly patterns: PiiPattern[];

  constructor(config: ConfigService<AllConfig, true>) {
    const { piiPatterns, piiCustomPatterns } = config.getOrThrow('examples', { infer: true });
    try {
      this.patterns = resolvePiiPatterns(piiPatterns, piiCustomPatterns);
    } catch (err) {
      throw new Error(`EXAMPLES_PII_PATTERNS / EXAMPLES_PII_CUSTOM_PATTERNS: ${(err as Error).message}`);
    }
  }

  /** Names of the patterns a new example records in its options. */
  get names(): string[] {
    return this.patterns.map((p) => p.name);
  }

  /** A redactor of the named patterns; a name no longer configured fails the build for good. */
  redactor(names: string[]): PiiRedactor {
    const byName = new Map(this.patterns.map((p) => [p.name, p]));
    const missing = names.filter((name) => !byName.has(name));
    if (missing.length > 0) {
      throw new PermanentBuildError(
        'pii_pattern_missing',
        `The PII patterns ${missing.join(', ')} of this example are no longer configured`,
      );
    }
    return new PiiRedactor(names.map((name) => byName.get(name)!));
  }
}
