/** One side of a regression run, counted. */
export interface SideCount {
  versions: string[];
  /** Sessions of these versions with an analysis (made during the run when they had none). */
  sessions: number;
  /** Of those, sessions with a finding of the incident's fingerprint (at incident confidence). */
  affected: number;
  /** Sessions analysed during the run because they had no (or an outdated) analysis. */
  analysed_now: number;
  /** More sessions matched than a run counts: the most recent ones were counted. */
  truncated: boolean;
}

export interface SideResult extends SideCount {
  /** affected / sessions (four decimals); null without sessions. */
  rate: number | null;
}

export interface RegressionResult {
  fingerprint: string;
  before: SideResult;
  after: SideResult;
  /** The incident's rate is higher after (null: a side had no sessions). */
  regressed: boolean | null;
  /** The incident's rate is lower after (null: a side had no sessions). */
  improved: boolean | null;
  /** A side had no sessions to compare: nothing can be said. */
  insufficient_data: boolean;
  detail: string;
}

const rateOf = (side: SideCount): number | null =>
  side.sessions === 0 ? null : Math.round((side.affected / side.sessions) * 10_000) / 10_000;

/** Compares the incident's rate before and after; never divides by zero. */
export function compareSides(fingerprint: string, before: SideCount, after: SideCount): RegressionResult {
  const b = { ...before, rate: rateOf(before) };
  const a = { ...after, rate: rateOf(after) };
  if (b.rate === null || a.rate === null) {
    const empty = [b.rate === null ? 'before' : null, a.rate === null ? 'after' : null].filter(Boolean).join(' and ');
    return {
      fingerprint,
      before: b,
      after: a,
      regressed: null,
      improved: null,
      insufficient_data: true,
      detail: `No sessions to compare ${empty}: the rates cannot be compared`,
    };
  }
  const regressed = a.rate > b.rate;
  const improved = a.rate < b.rate;
  const verdict = regressed ? 'regressed' : improved ? 'improved' : 'unchanged';
  return {
    fingerprint,
    before: b,
    after: a,
    regressed,
    improved,
    insufficient_data: false,
    detail: `${verdict}: ${b.affected}/${b.sessions} (${b.rate}) before, ${a.affected}/${a.sessions} (${a.rate}) after`,
  };
}

/**
 * The default candidate version: the newest version (by its first session) first seen after every
 * baseline version; null when no version came after them.
 */
export function pickCandidate(versions: { version: string; firstSeen: Date }[], baselines: string[]): string | null {
  const baseline = versions.filter((v) => baselines.includes(v.version));
  const after = baseline.length === 0 ? 0 : Math.max(...baseline.map((v) => v.firstSeen.getTime()));
  const later = versions
    .filter((v) => !baselines.includes(v.version) && v.firstSeen.getTime() > after)
    .sort((x, y) => y.firstSeen.getTime() - x.firstSeen.getTime() || (x.version < y.version ? 1 : -1));
  return later[0]?.version ?? null;
}

/**
 * The default baseline: the versions the incident was seen in, other than the candidate and
 * none first seen after it (a version that came later is not "before"). A candidate without
 * sessions comes after everything.
 */
export function defaultBaseline(
  versions: { version: string; firstSeen: Date }[],
  incidentVersions: string[],
  candidate: string,
): string[] {
  const firstSeen = new Map(versions.map((v) => [v.version, v.firstSeen.getTime()]));
  const candidateSeen = firstSeen.get(candidate) ?? Infinity;
  return incidentVersions.filter((v) => v !== candidate && (firstSeen.get(v) ?? -Infinity) < candidateSeen).sort();
}
