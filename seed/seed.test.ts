/*
 * The vendored seed and its parsed function table: the file is the 2017
 * revision with its licence header, and the parser finds every definition
 * (checked against what the C itself says: the vnodepagerops table and the
 * names each definition line carries).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEED_PATH, SEED_REVISION, functionHash, functionText, parseFunctions, seedFunctionAt, seedFunctions, seedLine, seedLines } from './seed.ts';

describe('the vendored seed', () => {
  it('is the 2017 file with its copyright and licence header', () => {
    expect(seedLine(2)).toBe(' * Copyright (c) 1990 University of Utah.');
    expect(seedLines().slice(1, 40).join('\n')).toContain('Redistribution and use in source and binary forms');
    expect(readFileSync(new URL('./README.md', import.meta.url), 'utf8')).toContain(SEED_REVISION);
    expect(seedLines().length - 1).toBe(1422);
  });
  it('has no listing artefacts (line numbers, non-breaking spaces, carriage returns)', () => {
    const raw = readFileSync(SEED_PATH, 'utf8');
    expect(raw).not.toMatch(/[\u00a0\r]/);
    expect(raw.split('\n')[0]).toBe('/*-');
  });
  it('holds the lines the project cites by number', () => {
    expect(seedLine(121)).toBe('\t\tVM_OBJECT_WLOCK(object);');
    expect(seedLine(128)).toContain('"vodead"');
    expect(seedLine(0)).toBeUndefined();
    expect(seedLine(1423)).toBeUndefined();
  });
});

describe('the function table, parsed from the C', () => {
  const fs = seedFunctions();
  it('finds 22 definitions in line order, none overlapping', () => {
    expect(fs).toHaveLength(22);
    for (let i = 1; i < fs.length; i++) expect(fs[i]!.first).toBeGreaterThan(fs[i - 1]!.last);
  });
  it('each spans its return type to its closing brace, with its name on the second line', () => {
    for (const f of fs) {
      expect(seedLine(f.first)).toMatch(/^[a-z_][\w\s*]*$/);
      expect(seedLine(f.first + 1)!.startsWith(`${f.name}(`)).toBe(true);
      expect(seedLine(f.last)).toBe('}');
    }
  });
  it('contains every function the vnodepagerops table names', () => {
    const ops = seedLines().join('\n').match(/struct pagerops vnodepagerops = \{([^}]*)\}/)![1]!;
    const named = [...ops.matchAll(/=\s*(\w+),/g)].map((m) => m[1]!);
    expect(named).toHaveLength(6);
    for (const n of named) expect(fs.map((f) => f.name)).toContain(n);
  });
  it('finds the functions of the seed README table', () => {
    expect(fs.find((f) => f.name === 'vnode_pager_generic_getpages')).toMatchObject({ first: 738, last: 1056, isStatic: false });
    expect(fs.find((f) => f.name === 'vnode_pager_haspage')).toMatchObject({ first: 310, last: 385, isStatic: true });
  });
  it('maps lines to functions, and lines between functions to none', () => {
    expect(seedFunctionAt(944)).toBe('vnode_pager_generic_getpages');
    expect(seedFunctionAt(110)).toBe('vnode_create_vobject');
    expect(seedFunctionAt(156)).toBeNull();
    expect(seedFunctionAt(5000)).toBeNull();
  });
  it('skips prototypes and parses a definition whose parameters continue', () => {
    const lines = ['', 'static int', 'f(int a,', '    int b);', '', 'static int', 'g(int a,', '    int b)', '{', '\treturn (a);', '}'];
    expect(parseFunctions(lines)).toEqual([{ name: 'g', first: 5, last: 10, isStatic: true }]);
  });
  it('hashes a function by its text', () => {
    expect(functionText('vnode_pager_getpages').split('\n')).toHaveLength(695 - 681 + 1);
    expect(functionHash('vnode_pager_getpages')).toMatch(/^[0-9a-f]{16}$/);
    expect(functionHash('vnode_pager_getpages')).not.toBe(functionHash('vnode_pager_getpages_async'));
  });
});
