import { BUILT_IN_PII_PATTERNS, DEFAULT_PII_PATTERNS, PiiRedactor, resolvePiiPatterns } from './pii';

describe('PII redaction', () => {
  const redactor = () => new PiiRedactor(resolvePiiPatterns(DEFAULT_PII_PATTERNS, { employee_id: 'EMP-\\d{6}' }));

  it.each([
    ['write to jane.doe+billing@mail.example.co.uk today', 'write to [redacted:email] today'],
    ['key sk-proj-AbCdEfGhIjKlMnOpQrSt123 leaked', 'key [redacted:api_key] leaked'],
    ['tp_live_0123456789abcdef0123456789abcdef', '[redacted:api_key]'],
    ['aws AKIAIOSFODNN7EXAMPLE', 'aws [redacted:api_key]'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[redacted:api_key]'],
    ['Authorization: Bearer abc.def-ghi_jkl~mnop123', 'Authorization: [redacted:bearer_token]'],
    ['call +1 415 555 0100 or (415) 555-0100', 'call [redacted:phone] or [redacted:phone]'],
    ['london +44 20 7946 0958', 'london [redacted:phone]'],
    ['badge EMP-123456', 'badge [redacted:employee_id]'],
  ])('redacts %s', (input, expected) => {
    expect(redactor().redact(input)).toBe(expected);
  });

  it.each([
    'order A-17 for 12.50 USD',
    'on 2026-03-01 at 12:00:05',
    'version 10.2.1234',
    'ip 192.168.1.100',
    'id 123456789',
  ])('leaves %s alone', (input) => {
    expect(redactor().redact(input)).toBe(input);
  });

  it('redacts the string leaves of JSON values and counts the matches', () => {
    const r = redactor();
    expect(r.redactDeep({ to: ['a@b.io'], n: 3, nested: { note: 'x a@b.io' }, ok: null })).toEqual({
      to: ['[redacted:email]'],
      n: 3,
      nested: { note: 'x [redacted:email]' },
      ok: null,
    });
    expect(r.redactions).toBe(2);
  });

  it('refuses unknown built-ins, bad names and patterns that do not compile', () => {
    expect(() => resolvePiiPatterns(['passport'], {})).toThrow(/unknown PII pattern "passport"/);
    expect(() => resolvePiiPatterns([], { 'Bad Name': 'x' })).toThrow(/must match/);
    expect(() => resolvePiiPatterns([], { broken: '(' })).toThrow(/not a valid regular expression/);
    expect(Object.keys(BUILT_IN_PII_PATTERNS)).toEqual(expect.arrayContaining(DEFAULT_PII_PATTERNS));
  });
});
