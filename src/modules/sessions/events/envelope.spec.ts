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
});
