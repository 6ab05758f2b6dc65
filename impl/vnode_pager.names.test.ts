/*
 * Every function of the seed exists in the port under its C name, and its
 * comment names the seed lines it ports. The list is parsed from the vendored
 * C (seed/seed.ts), not copied here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seedFunctions } from '../seed/seed.ts';
import * as port from './vnode_pager.ts';

const rows = seedFunctions().map((f) => ({ from: f.first, to: f.last, name: f.name }));
const source = readFileSync(fileURLToPath(new URL('./vnode_pager.ts', import.meta.url)), 'utf8');

describe('the port has every seed function', () => {
  it('parses 22 functions from the seed', () => {
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
