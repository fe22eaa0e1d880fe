import type { TreeRunRow } from './dashboard.repository';
import { buildRunTree, treeJson } from './run-tree';

const row = (id: string, parent: string | null): TreeRunRow => ({
  id,
  parent_run_id: parent,
  name: id,
  run_type: 'chain',
  status: 'completed',
  start_time: '2025-01-01T00:00:00.000000Z',
  end_time: null,
  duration_ms: null,
  error: null,
});

describe('run tree', () => {
  it('hangs runs under their parents whatever the order, and measures depth', () => {
    const tree = buildRunTree([row('c', 'b'), row('a', null), row('b', 'a'), row('d', 'a')])!;
    expect(tree.root.id).toBe('a');
    expect(tree.root.children.map((c) => c.id)).toEqual(['b', 'd']);
    expect(tree).toMatchObject({ totalRuns: 4, maxDepth: 3, orphans: [] });
  });

  it('puts runs with a missing parent, and parent cycles, beside the tree', () => {
    const tree = buildRunTree([row('a', null), row('x', 'missing'), row('p', 'q'), row('q', 'p')])!;
    expect(tree.root.id).toBe('a');
    expect(tree.orphans.map((o) => o.id).sort()).toEqual(['p', 'x']);
    expect(JSON.parse(treeJson(tree.orphans.find((o) => o.id === 'p')!))).toMatchObject({
      id: 'p',
      children: [{ id: 'q', children: [] }],
    });
  });

  it('builds and writes a 100,000-level chain without recursion', () => {
    const rows = [row('r0', null)];
    for (let i = 1; i < 100_000; i++) rows.push(row(`r${i}`, `r${i - 1}`));
    const tree = buildRunTree(rows)!;
    expect(tree.maxDepth).toBe(100_000);
    const json = treeJson(tree.root);
    expect(json.startsWith('{"id":"r0"')).toBe(true);
    expect(json.endsWith(']}'.repeat(100_000))).toBe(true);
    let node = JSON.parse(json) as { id: string; children: unknown[] };
    let depth = 1;
    while (node.children.length > 0) {
      node = node.children[0] as typeof node;
      depth++;
    }
    expect([node.id, depth]).toEqual(['r99999', 100_000]);
  });
});
