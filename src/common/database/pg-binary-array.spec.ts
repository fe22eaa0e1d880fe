import { Client } from 'pg';
import { testDatabaseUrl } from 'test/setup/services';
import { int4Array, int8Array, textArray } from './pg-binary-array';

// Read back by the real server: the format is PostgreSQL's, so only PostgreSQL can say it is right.
describe('pg binary arrays', () => {
  const client = new Client({ connectionString: testDatabaseUrl() });
  const readBack = async (sql: string, value: Buffer): Promise<unknown> =>
    (await client.query<{ v: unknown }>(`SELECT ${sql} AS v`, [value])).rows[0].v;

  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it('sends 32-bit integers', async () => {
    const values = [1, -2, 0, 2_147_483_647, -2_147_483_648];
    expect(
      await readBack(
        '$1::int[]',
        int4Array(values, (v) => v),
      ),
    ).toEqual(values);
  });

  it('sends 64-bit integers up to the safe range, negative ones included', async () => {
    const values = [
      0,
      1,
      -1,
      4_294_967_295,
      4_294_967_296,
      -4_294_967_297,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    expect(
      await readBack(
        '$1::bigint[]::text[]',
        int8Array(values, (v) => v),
      ),
    ).toEqual(values.map(String));
    expect(() => int8Array([2 ** 53], (v) => v)).toThrow(RangeError);
  });

  it('sends text byte for byte, with NULLs and what a literal would have to escape', async () => {
    const values = ['a', 'b c', 'say "hi"', 'back\\slash', null, '', 'NULL', '{x,y}', 'ünïcødé ✓ 🚀'];
    expect(
      await readBack(
        '$1::text[]',
        textArray(values, (v) => v),
      ),
    ).toEqual(values);
    expect(
      await readBack(
        'array_position($1::text[], NULL)',
        textArray(values, (v) => v),
      ),
    ).toBe(5);
  });

  it('sends empty arrays', async () => {
    expect(
      await readBack(
        'cardinality($1::text[])',
        textArray([], (v: string) => v),
      ),
    ).toBe(0);
    expect(
      await readBack(
        'cardinality($1::int[])',
        int4Array([], (v: number) => v),
      ),
    ).toBe(0);
    expect(
      await readBack(
        'cardinality($1::bigint[])',
        int8Array([], (v: number) => v),
      ),
    ).toBe(0);
  });

  it('picks each element from its item', async () => {
    const rows = [
      { seq: 7, key: 'k1' },
      { seq: 9, key: 'k2' },
    ];
    expect(
      await readBack(
        '$1::text[]',
        textArray(rows, (r) => r.key),
      ),
    ).toEqual(['k1', 'k2']);
    expect(
      await readBack(
        '$1::bigint[]::int[]',
        int8Array(rows, (r) => r.seq),
      ),
    ).toEqual([7, 9]);
  });
});
