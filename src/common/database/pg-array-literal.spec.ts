import { bareArrayLiteral, textArrayLiteral } from './pg-array-literal';

// PostgreSQL reading these literals back byte for byte is shown end to end in traces.e2e-spec.ts.
describe('pg array literals', () => {
  it('quotes every text element and escapes only quotes and backslashes', () => {
    expect(textArrayLiteral(['a', 'b c', 'say "hi"', 'back\\slash', null, '', 'NULL', '{x,y}'])).toBe(
      '{"a","b c","say \\"hi\\"","back\\\\slash",NULL,"","NULL","{x,y}"}',
    );
    expect(textArrayLiteral([])).toBe('{}');
  });

  it('joins numbers and uuids bare', () => {
    expect(bareArrayLiteral([1, -2, 30])).toBe('{1,-2,30}');
    expect(bareArrayLiteral(['7c9e6679-7425-40de-944b-e07fc1f90ae7'])).toBe('{7c9e6679-7425-40de-944b-e07fc1f90ae7}');
    expect(bareArrayLiteral([])).toBe('{}');
  });
});
