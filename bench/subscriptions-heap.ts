/**
 * Where the memory per subscriber goes (`npm run bench:subscriptions --
 * --snapshots`): two V8 heap snapshots of the server, one with the baseline
 * subscribers and one with all of them, summed by constructor (objects),
 * function (closures) or kind (strings, arrays, compiled code, …), and the
 * difference divided by the subscribers added. Self sizes, so the rows add
 * up to the heap's growth.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per group of one snapshot. */
export function heapByGroup(path: string): Map<string, { bytes: number; count: number }> {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt]!]!;
    const name = strings[nodes[i + nameAt]!]!;
    const group =
      type === 'object' || type === 'native'
        ? name
        : type === 'closure'
          ? `${name || '(anonymous)'}()`
          : type === 'hidden' || type === 'synthetic'
            ? `(${type}) ${name}`
            : `(${type})`;
    const entry = groups.get(group) ?? { bytes: 0, count: 0 };
    entry.bytes += nodes[i + sizeAt]!;
    entry.count += 1;
    groups.set(group, entry);
  }
  return groups;
}

/** The groups that grew most from `before` to `after`, per one of `added` subscribers. */
export function growthPerSubscriber(before: string, after: string, added: number, top = 20) {
  const a = heapByGroup(before);
  const b = heapByGroup(after);
  const rows = [...b].map(([group, { bytes, count }]) => ({
    group,
    bytes: (bytes - (a.get(group)?.bytes ?? 0)) / added,
    count: (count - (a.get(group)?.count ?? 0)) / added,
  }));
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  return { total, rows: rows.sort((x, y) => y.bytes - x.bytes).slice(0, top) };
}
