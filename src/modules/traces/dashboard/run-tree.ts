import type { TreeRunRow } from './dashboard.repository';

export interface TreeNode extends TreeRunRow {
  children: TreeNode[];
}

export interface RunTree {
  root: TreeNode;
  /** Top-level runs other than the root: their parent is not stored (yet). */
  orphans: TreeNode[];
  totalRuns: number;
  /** Levels under and including the root. */
  maxDepth: number;
}

/**
 * Builds a trace's tree from its runs in start order, without recursion (a trace may be
 * thousands of levels deep): every run hangs under its parent, children in start order. The
 * root is `rootId` when given, else the first run without a parent, else the first run whose
 * parent is missing. Runs unreachable from it (missing parents, cycles) become orphans.
 */
export function buildRunTree(rows: TreeRunRow[], rootId?: string): RunTree | null {
  if (rows.length === 0) return null;
  const nodes = new Map<string, TreeNode>();
  for (const row of rows) nodes.set(row.id, { ...row, children: [] });
  const tops: TreeNode[] = [];
  for (const row of rows) {
    const node = nodes.get(row.id)!;
    const parent = row.parent_run_id ? nodes.get(row.parent_run_id) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else tops.push(node);
  }
  const root =
    (rootId ? nodes.get(rootId) : undefined) ??
    tops.find((n) => n.parent_run_id === null) ??
    tops[0] ??
    nodes.get(rows[0].id)!;

  const reached = new Set<string>();
  let maxDepth = 0;
  let level: TreeNode[] = [root];
  while (level.length > 0) {
    maxDepth++;
    const next: TreeNode[] = [];
    for (const node of level) {
      reached.add(node.id);
      for (const child of node.children) if (!reached.has(child.id)) next.push(child);
    }
    level = next;
  }
  if (rootId) return { root, orphans: [], totalRuns: reached.size, maxDepth };

  // Whatever the root does not reach: top-level runs first, then members of parent cycles.
  const orphans: TreeNode[] = [];
  const claim = (start: TreeNode) => {
    orphans.push(start);
    const stack = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (reached.has(node.id)) continue;
      reached.add(node.id);
      stack.push(...node.children);
    }
  };
  for (const top of tops) if (!reached.has(top.id)) claim(top);
  for (const row of rows) {
    const node = nodes.get(row.id)!;
    if (reached.has(node.id)) continue;
    // In a cycle: detach it from its parent so the output is a tree.
    const parent = node.parent_run_id ? nodes.get(node.parent_run_id) : undefined;
    if (parent) parent.children = parent.children.filter((c) => c !== node);
    claim(node);
  }
  return { root, orphans, totalRuns: rows.length, maxDepth };
}

/**
 * JSON of a tree without recursion (JSON.stringify overflows the stack past a few thousand levels).
 * Field order: the node's own fields, then `children`.
 */
export function treeJson(root: TreeNode): string {
  const out: string[] = [];
  const stack: (TreeNode | string)[] = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const { children, ...fields } = item;
    const head = JSON.stringify(fields);
    out.push(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"children":[`);
    stack.push(']}');
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push(children[i]);
      if (i > 0) stack.push(',');
    }
  }
  return out.join('');
}
