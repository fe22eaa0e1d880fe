import type { LockedSession } from './ingest.repository';
import { KnownSessions } from './known-sessions';

const session = (id: string, lastSeq = 1): LockedSession => ({
  id,
  workspace_id: 'w',
  last_seq: String(lastSeq),
  last_sub_seq: 0,
  status: 'running',
});

describe('KnownSessions', () => {
  it('hands out all the sessions asked for, once: a concurrent flush of them finds none', () => {
    const known = new KnownSessions();
    known.remember([session('a', 3), session('b', 5)]);
    expect(known.take(['b', 'a'])).toEqual([session('b', 5), session('a', 3)]);
    expect(known.take(['a'])).toBeNull();
    known.remember([session('a', 4)]);
    expect(known.take(['a'])).toEqual([session('a', 4)]);
  });

  it('takes nothing when one of the sessions is unknown', () => {
    const known = new KnownSessions();
    known.remember([session('a')]);
    expect(known.take(['a', 'unknown'])).toBeNull();
    expect(known.take(['a'])).toEqual([session('a')]);
  });

  it('keeps at most 10,000 sessions, forgetting the least recently written first', () => {
    const known = new KnownSessions();
    known.remember(Array.from({ length: 10_000 }, (_, i) => session(`s${i}`)));
    known.remember([session('s0', 2)]); // written again: now the most recent
    known.remember([session('new')]);
    expect(known.take(['s1'])).toBeNull();
    expect(known.take(['s0'])).toEqual([session('s0', 2)]);
    expect(known.take(['s2', 'new'])).toHaveLength(2);
  });
});
