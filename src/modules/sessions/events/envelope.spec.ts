import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EventInputDto } from '../dto/event.dto';
import { isValidEnvelope } from './envelope';

/** The fast path must never accept what the DTO rules refuse. */
describe('isValidEnvelope', () => {
  const dtoAccepts = (raw: object) =>
    validateSync(plainToInstance(EventInputDto, raw), { whitelist: true, forbidNonWhitelisted: true }).length === 0;
  const base = { seq: 1, idempotency_key: 'k', type: 'step', payload: { name: 'x' } };
  const samples: object[] = [
    base,
    { ...base, timestamp: '2026-01-01T00:00:00Z' },
    { ...base, timestamp: '2026-01-01T00:00:00.123456+02:00' },
    { ...base, timestamp: '2026-02-30T00:00:00Z' },
    { ...base, timestamp: '2024-02-29T23:59:59Z' },
    { ...base, timestamp: '2100-02-29T00:00:00Z' },
    { ...base, timestamp: '2026-04-31T00:00:00Z' },
    { ...base, timestamp: '2026-00-10T00:00:00Z' },
    { ...base, timestamp: '2026-01-00T00:00:00Z' },
    { ...base, timestamp: '2026-01-01T24:00:00Z' },
    { ...base, timestamp: '2026-01-01T23:60:00Z' },
    { ...base, timestamp: '2026-13-01T00:00:00Z' },
    { ...base, timestamp: '20260101T000000Z' },
    { ...base, timestamp: 'yesterday' },
    { ...base, timestamp: 12 },
    { ...base, seq: 0 },
    { ...base, seq: 1.5 },
    { ...base, seq: '1' },
    { ...base, seq: Number.MAX_SAFE_INTEGER + 2 },
    { ...base, idempotency_key: '' },
    { ...base, idempotency_key: 'k'.repeat(201) },
    { ...base, type: 7 },
    { ...base, payload: [] },
    { ...base, payload: null },
    { ...base, extra: true },
  ];

  it.each(samples.map((s) => [JSON.stringify(s), s]))('agrees with the DTO on %s (or defers to it)', (_label, raw) => {
    if (isValidEnvelope(raw)) expect(dtoAccepts(raw)).toBe(true);
  });

  it('takes the fast path for the usual SDK event', () => {
    expect(isValidEnvelope({ ...base, timestamp: '2026-01-01T00:00:00.123Z' })).toBe(true);
  });

  it('accepts real calendar dates, leap days included, and refuses impossible ones', () => {
    const accepts = (timestamp: string) => isValidEnvelope({ ...base, timestamp });
    expect(accepts('2024-02-29T23:59:59Z')).toBe(true);
    expect(accepts('2000-02-29T00:00:00+01:00')).toBe(true);
    expect(accepts('2026-12-31T23:59:59.999999999Z')).toBe(true);
    for (const bad of [
      '2026-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-00-10T00:00:00Z',
    ]) {
      expect(accepts(bad)).toBe(false);
    }
  });
});
