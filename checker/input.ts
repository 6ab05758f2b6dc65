/*
 * Reading an input file (checkpoint, shard report, trace, counterexample,
 * scenario) with a size bound checked before the read: JSON.parse of a file
 * of hundreds of megabytes takes minutes and gigabytes before any schema
 * check can refuse it, so a file larger than any the tools write is refused
 * from its size alone.
 */
import { readFileSync, statSync } from 'node:fs';

/** Far above what the tools write (a checkpoint of 10^4 tasks is a few MB), far below what takes a parser minutes. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** A file refused before it is read: over the bound, or not a regular file (a FIFO or a device never ends). */
export class InputRefused extends Error {
  constructor(
    readonly file: string,
    /** What is wrong, without the file name: "70000000 bytes, larger than the 64 MiB accepted", "not a regular file". */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** The file's text; InputRefused over the bound or for a non-regular file; fs errors (ENOENT, EISDIR, ...) as readFileSync raises them. */
export function readInputText(file: string, maxBytes: number = MAX_INPUT_BYTES): string {
  const st = statSync(file);
  if (!st.isFile() && !st.isDirectory()) throw new InputRefused(file, 'not a regular file');
  if (st.size > maxBytes) throw new InputRefused(file, `${st.size} bytes, larger than the ${Math.round(maxBytes / (1024 * 1024))} MiB accepted`);
  const text = readFileSync(file, 'utf8');
  // A file that grew between stat and read.
  if (text.length > maxBytes) throw new InputRefused(file, `more than ${maxBytes} bytes, larger than accepted`);
  return text;
}
