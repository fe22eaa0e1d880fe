import { compareSides, defaultBaseline, pickCandidate, type SideCount } from './regression-result';

const side = (sessions: number, affected: number): SideCount => ({
  versions: ['v'],
  sessions,
  affected,
  analysed_now: 0,
  truncated: false,
});

describe('compareSides', () => {
  it('compares the rates with their counts', () => {
    const improved = compareSides('fp', side(4, 3), side(5, 1));
    expect(improved).toMatchObject({
      before: { sessions: 4, affected: 3, rate: 0.75 },
      after: { sessions: 5, affected: 1, rate: 0.2 },
      regressed: false,
      improved: true,
      insufficient_data: false,
    });
    expect(compareSides('fp', side(4, 1), side(3, 2))).toMatchObject({ regressed: true, improved: false });
    expect(compareSides('fp', side(2, 1), side(4, 2))).toMatchObject({ regressed: false, improved: false });
    expect(compareSides('fp', side(3, 1), side(3, 0)).before.rate).toBe(0.3333);
  });

  it('says a side without sessions is insufficient data instead of dividing by zero', () => {
    const result = compareSides('fp', side(3, 3), side(0, 0));
    expect(result).toMatchObject({ after: { rate: null }, regressed: null, improved: null, insufficient_data: true });
    expect(result.detail).toContain('after');
  });
});

describe('pickCandidate', () => {
  const at = (day: number) => new Date(Date.UTC(2026, 0, day));
  it('picks the newest version first seen after every baseline version', () => {
    const versions = [
      { version: '1.0', firstSeen: at(1) },
      { version: '1.1', firstSeen: at(3) },
      { version: '0.9', firstSeen: at(0) },
      { version: '2.0', firstSeen: at(9) },
      { version: '1.2', firstSeen: at(5) },
    ];
    expect(pickCandidate(versions, ['1.0', '1.1'])).toBe('2.0');
    expect(pickCandidate(versions, ['2.0'])).toBeNull();
    expect(pickCandidate(versions, ['missing'])).toBe('2.0');
  });
});

describe('defaultBaseline', () => {
  const at = (day: number) => new Date(Date.UTC(2026, 0, day));
  const versions = [
    { version: '1.0', firstSeen: at(1) },
    { version: '2.0', firstSeen: at(3) },
    { version: '3.0', firstSeen: at(5) },
  ];
  it("takes the incident's versions first seen before the candidate", () => {
    expect(defaultBaseline(versions, ['2.0', '1.0', '3.0'], '3.0')).toEqual(['1.0', '2.0']);
    expect(defaultBaseline(versions, ['1.0', '3.0'], '2.0')).toEqual(['1.0']);
    expect(defaultBaseline(versions, ['1.0', '3.0'], '9.9')).toEqual(['1.0', '3.0']);
    expect(defaultBaseline(versions, ['3.0'], '2.0')).toEqual([]);
  });
});
