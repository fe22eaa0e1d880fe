import { PLATFORM_SEEDS } from './platform-seeds';
import { parseSpec } from './specs';

describe('platform seeds', () => {
  it.each(PLATFORM_SEEDS.map((s) => [s.key, s] as const))(
    '%s is a valid spec of its kind, already normalized',
    (_key, seed) => {
      expect(parseSpec(seed.kind, JSON.parse(JSON.stringify(seed.spec)) as Record<string, unknown>)).toEqual(seed.spec);
    },
  );

  it('seeds the tools an agent allows before the agent', () => {
    const keys = PLATFORM_SEEDS.map((s) => s.key);
    for (const [i, seed] of PLATFORM_SEEDS.entries()) {
      if (seed.kind !== 'agent' || !('tool_policy' in seed.spec)) continue;
      for (const tool of seed.spec.tool_policy.allowed_tools) expect(keys.indexOf(tool)).toBeLessThan(i);
    }
  });
});
