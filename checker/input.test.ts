/*
 * Input files are bounded before they are read: a file over the bound or one
 * that never ends is refused from its metadata (cli/input.test.ts: by every
 * command that reads one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputRefused, MAX_INPUT_BYTES, readInputText } from './input.ts';

let dir: string;
let huge: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pagercheck-input-'));
  huge = join(dir, 'huge.json');
  writeFileSync(huge, '{');
  truncateSync(huge, MAX_INPUT_BYTES + 1); // sparse: no disk used, stat reports the size
});
afterAll(() => void (dir && rmSync(dir, { recursive: true, force: true })));

describe('readInputText', () => {
  it('reads a file within the bound', () => {
    const f = join(dir, 'small.json');
    writeFileSync(f, '{"a":1}');
    expect(readInputText(f)).toBe('{"a":1}');
  });
  it('refuses a file over the bound without reading it, naming its size', () => {
    expect(() => readInputText(huge)).toThrow(InputRefused);
    expect(() => readInputText(huge)).toThrow(`${MAX_INPUT_BYTES + 1} bytes, larger than the 64 MiB accepted`);
  });
  it('refuses a device that never ends', () => {
    expect(() => readInputText('/dev/zero')).toThrow('not a regular file');
  });
  it('leaves fs errors as they are (callers word ENOENT and EISDIR)', () => {
    expect(() => readInputText(join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => readInputText(dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});
