/*
 * Every command that reads a file (scenario, trace, checkpoint, shard report)
 * refuses one over checker/input.ts's bound in one line naming it, exit 2,
 * before parsing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_INPUT_BYTES } from '../checker/input.ts';
import { EXIT_BAD_INPUT } from './exit.ts';
import { memoryIo } from './io.ts';
import { main } from './main.ts';

let dir: string;
let huge: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pagercheck-input-'));
  huge = join(dir, 'huge.json');
  writeFileSync(huge, '{');
  truncateSync(huge, MAX_INPUT_BYTES + 1); // sparse: stat reports the size, no disk is used
});
afterAll(() => void (dir && rmSync(dir, { recursive: true, force: true })));

describe('every command refuses an oversized input in one line, exit 2', () => {
  it.each([
    ['explore (scenario file)', (f: string) => ['explore', f, '--out', join(dir, 'o1')]],
    ['replay (trace)', (f: string) => ['replay', f]],
    ['replay --continue (trace)', (f: string) => ['replay', '--continue', f]],
    ['explore --resume (checkpoint)', (f: string) => ['explore', '--resume', f, '--out', join(dir, 'o2')]],
    ['merge (shard report)', (f: string) => ['merge', f, '--out', join(dir, 'o3')]],
  ])('%s', async (_name, argv) => {
    const io = memoryIo();
    const code = await main(argv(huge), io);
    expect(code).toBe(EXIT_BAD_INPUT);
    const lines = io.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('huge.json');
    expect(lines[0]).toMatch(/bytes, larger than/);
  });
});
