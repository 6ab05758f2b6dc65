/*
 * Every function of the seed exists in the port under its C name, and its
 * comment names the seed lines it ports. The list comes from the seed's own
 * README table, not from a copy here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as port from './vnode_pager.ts';

const seedReadme = fileURLToPath(new URL('../../shared/seed/README.md', import.meta.url));
const rows = [...readFileSync(seedReadme, 'utf8').matchAll(/^\| (\d+)-(\d+) \| (\w+) \|$/gm)].map((m) => ({ from: Number(m[1]), to: Number(m[2]), name: m[3]! }));
const source = readFileSync(fileURLToPath(new URL('./vnode_pager.ts', import.meta.url)), 'utf8');

describe('the port has every seed function', () => {
  it('reads 22 functions from the seed README', () => {
    expect(rows).toHaveLength(22);
  });
  it.each(rows)('$name (seed $from-$to) is exported under its C name and cites its lines', ({ name, from, to }) => {
    expect(typeof (port as Record<string, unknown>)[name]).toBe('function');
    const at = source.search(new RegExp(`export function\\*? ${name}\\(`));
    expect(at).toBeGreaterThan(0);
    // The comment just above the function names its seed line range.
    const before = source.slice(Math.max(0, at - 1200), at);
    expect(before).toContain(`${from}-${to}`);
  });
  it('exports the vnodepagerops table with the six pager operations', () => {
    expect(Object.keys(port.vnodepagerops).sort()).toEqual(['pgo_alloc', 'pgo_dealloc', 'pgo_getpages', 'pgo_getpages_async', 'pgo_haspage', 'pgo_putpages']);
  });
});
