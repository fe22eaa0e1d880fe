/**
 * Redaction of personal data and secrets before training data is written. Each pattern has a
 * name; a match becomes `[redacted:<name>]`, so a model trained on the data learns the shape of
 * the conversation without the values. Built-in patterns are named in EXAMPLES_PII_PATTERNS;
 * EXAMPLES_PII_CUSTOM_PATTERNS adds named regular expressions of the operator's own.
 */
export const BUILT_IN_PII_PATTERNS: Readonly<Record<string, string>> = {
  email: String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`,
  // Well-known key formats: OpenAI/Stripe-style sk-/pk-/rk-, Flightdeck tp_live_, AWS access key
  // ids, GitHub, Slack and Google API keys, and JSON Web Tokens.
  api_key: [
    String.raw`\b(?:sk|pk|rk)[-_](?:[A-Za-z0-9]+[-_])?[A-Za-z0-9_-]{16,}`,
    String.raw`\btp_(?:live|test)_[A-Za-z0-9]{16,}`,
    String.raw`\bAKIA[0-9A-Z]{16}\b`,
    String.raw`\bgh[pousr]_[A-Za-z0-9]{30,}`,
    String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
    String.raw`\bAIza[0-9A-Za-z_-]{35}`,
    String.raw`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
  ].join('|'),
  bearer_token: String.raw`\b[Bb]earer\s+[A-Za-z0-9._~+/-]{16,}=*`,
  // International or national numbers with separators: +1 415 555 0100, (415) 555-0100,
  // 415-555-0100, +44 20 7946 0958. Plain digit runs (ids, amounts, dates) are left alone.
  phone: String.raw`(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?|\d{1,4}[ .-])\d{2,4}[ .-]\d{3,4}(?!\w)`,
};

export const DEFAULT_PII_PATTERNS = ['email', 'api_key', 'bearer_token', 'phone'];

export const PII_PATTERN_NAME = /^[a-z][a-z0-9_]{0,39}$/;

export interface PiiPattern {
  name: string;
  source: string;
}

/**
 * The patterns to apply, in order: the named built-ins, then the custom ones. Throws on an
 * unknown built-in name, a bad custom name or a regular expression that does not compile (the
 * configuration is checked at boot with this).
 */
export function resolvePiiPatterns(names: string[], custom: Record<string, string>): PiiPattern[] {
  const patterns: PiiPattern[] = [];
  for (const name of names) {
    const source = BUILT_IN_PII_PATTERNS[name];
    if (source === undefined) {
      throw new Error(`unknown PII pattern "${name}" (built-in: ${Object.keys(BUILT_IN_PII_PATTERNS).join(', ')})`);
    }
    patterns.push({ name, source });
  }
  for (const [name, source] of Object.entries(custom)) {
    if (!PII_PATTERN_NAME.test(name)) throw new Error(`PII pattern name "${name}" must match ${PII_PATTERN_NAME}`);
    if (typeof source !== 'string' || source === '')
      throw new Error(`PII pattern "${name}" must be a regular expression`);
    try {
      new RegExp(source, 'g');
    } catch {
      throw new Error(`PII pattern "${name}" is not a valid regular expression`);
    }
    patterns.push({ name, source });
  }
  return patterns;
}

/** Replaces every match of the patterns in strings and in the string leaves of JSON values. */
export class PiiRedactor {
  private readonly compiled: { name: string; regex: RegExp }[];
  private matches = 0;

  constructor(patterns: PiiPattern[]) {
    this.compiled = patterns.map((p) => ({ name: p.name, regex: new RegExp(p.source, 'g') }));
  }

  /** Matches replaced so far. */
  get redactions(): number {
    return this.matches;
  }

  redact(text: string): string {
    let out = text;
    for (const { name, regex } of this.compiled) {
      out = out.replace(regex, () => {
        this.matches++;
        return `[redacted:${name}]`;
      });
    }
    return out;
  }

  /** A copy of `value` with every string redacted (object keys are kept as they are). */
  redactDeep(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.redactDeep(v);
      return out;
    }
    return value;
  }
}
