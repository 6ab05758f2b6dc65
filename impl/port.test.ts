import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as seedPort from './vnode_pager.ts';
import { evaluatePort, mutatedSource, portFor, portImports, providedImports, seedPortRecord } from './port.ts';
import { applyMutation, EditMismatch, MUTANTS, MUTATIONS, REPAIRED, SEED, mutationOf } from './variants.ts';

const SOURCE = readFileSync(fileURLToPath(new URL('./vnode_pager.ts', import.meta.url)), 'utf8');

const occurrences = (text: string, find: string): number => text.split(find).length - 1;

describe('mutants as edits of the port', () => {
  it('the port itself names no mutant', () => {
    expect(SOURCE).not.toMatch(/mut-/);
  });

  for (const m of MUTATIONS) {
    it(`${m.name}: its edit finds its text exactly once and changes it`, () => {
      expect(occurrences(SOURCE, m.edit.find)).toBe(1);
      const text = mutatedSource(m);
      expect(text).not.toBe(SOURCE);
      expect(occurrences(text, m.edit.replace)).toBeGreaterThanOrEqual(1);
      expect(text.length - SOURCE.length).toBe(m.edit.replace.length - m.edit.find.length);
    });
  }

  it('an edit that finds nothing, or more than once, is refused in one line', () => {
    const m = { ...MUTATIONS[0]!, edit: { find: 'no such text in the port', replace: '' } };
    expect(() => applyMutation(SOURCE, m)).toThrow(EditMismatch);
    expect(() => applyMutation(SOURCE, m)).toThrow(/^mutation mut-[a-z-]+: its edit no longer finds "no such text in the port" in impl\/vnode_pager.ts; accepted: /);
    const twice = { ...m, edit: { find: 'yield* VM_OBJECT_WLOCK(', replace: '' } };
    expect(() => applyMutation(SOURCE, twice)).toThrow(/more than once/);
  });

  it('each mutant variant applies its own mutation; seed and repaired none', () => {
    expect(mutationOf(SEED)).toBeNull();
    expect(mutationOf(REPAIRED)).toBeNull();
    for (const v of MUTANTS) expect(mutationOf(v)?.name).toBe(v.name);
    expect(() => mutationOf({ ...REPAIRED, name: 'two', patches: [MUTATIONS[0]!.name, MUTATIONS[1]!.name] })).toThrow(/names 2 mutations/);
  });
});

describe('the port a variant runs', () => {
  it('seed and repaired run vnode_pager.ts itself', () => {
    expect(portFor(SEED)).toBe(seedPortRecord());
    expect(portFor(REPAIRED).exports).toBe(seedPort);
  });

  it('the port imports only modules the copy is given', () => {
    const specs = portImports(SOURCE);
    expect(specs.length).toBeGreaterThanOrEqual(10);
    expect(specs.filter((s) => !providedImports().includes(s))).toEqual([]);
    // Evaluating the unchanged text compiles it and satisfies every import (an unknown one throws).
    const copy = evaluatePort(SOURCE, 'vnode_pager.ts (copy)', null);
    expect(Object.keys(copy.exports).sort()).toEqual(Object.keys(seedPort).sort());
  });

  it("a copy registers what the seed port's record holds, function by function", () => {
    const copy = evaluatePort(SOURCE, 'vnode_pager.ts (copy)', null);
    const seed = seedPortRecord();
    const names = (o: object) => Object.entries(o).map(([k, f]) => `${k}=${(f as { name: string }).name}`).sort();
    expect(names(copy.pagerops)).toEqual(names(seed.pagerops));
    expect(names(copy.hooks)).toEqual(names(seed.hooks));
    expect(names(copy.generic)).toEqual(names(seed.generic));
    expect(copy.exports.vnode_pager_alloc).not.toBe(seedPort.vnode_pager_alloc);
  });

  it('a mutant runs its own compiled copy, once per process', () => {
    const v = MUTANTS[0]!;
    const p = portFor(v);
    expect(p.mutation).toBe(v.name);
    expect(p.exports).not.toBe(seedPort);
    expect(portFor({ ...v })).toBe(p);
  });
});
