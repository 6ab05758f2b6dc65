/*
 * Where the CLI writes, so tests can run main() in-process and read what it
 * printed. The process's streams by default. And the checks of output paths
 * made before a search, so that a bad --out never costs the run.
 */
import { accessSync, constants, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { BadInput } from './args.ts';
export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** stderr is a terminal: progress draws a bar. */
  readonly errIsTTY: boolean;
  /** Ctrl-C; default: the process's SIGINT and SIGTERM. */
  onInterrupt(handler: () => void): () => void;
  /** A second Ctrl-C: leave at once. */
  forceQuit(code: number): void;
}

export function processIo(): Io {
  // `pagercheck replay F | head`: a closed pipe ends the output, not the process with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    errIsTTY: process.stderr.isTTY === true,
    onInterrupt(handler) {
      // SIGTERM (a batch engine stopping a job, kill) stops as Ctrl-C does: what was found and the checkpoint are written.
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    forceQuit(code) {
      process.exit(code);
    },
  };
}

/** An Io that keeps what was written (tests). */
export function memoryIo(): Io & { readonly stdout: string; readonly stderr: string; interrupt(): void } {
  let stdout = '';
  let stderr = '';
  const handlers = new Set<() => void>();
  return {
    out: (s) => void (stdout += s),
    err: (s) => void (stderr += s),
    errIsTTY: false,
    onInterrupt(h) {
      handlers.add(h);
      return () => void handlers.delete(h);
    },
    forceQuit() {},
    interrupt() {
      for (const h of [...handlers]) h();
    },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

/* ---- outputs: checked before a search, never lost after it ---- */

/** An output path that cannot be written: bad input, exit code 2. */
export class OutputError extends BadInput {
  override name = 'OutputError';
}

const NAME_MAX = 255;
const PATH_MAX = 4096;

function why(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function checkLength(option: string, p: string): void {
  if (p.length === 0) throw new OutputError(`${option}: empty path; accepted: a path in a writable directory`);
  if (p.length > PATH_MAX || p.split(/[\\/]/).some((c) => Buffer.byteLength(c) > NAME_MAX))
    throw new OutputError(`${option} ${p.slice(0, 60)}...: path too long; accepted: at most ${PATH_MAX} bytes, ${NAME_MAX} per name`);
}

/** The nearest existing directory at or above `dir`, which must be writable (a missing tail is made later). */
function writableAncestor(option: string, shown: string, dir: string): void {
  let d = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(d);
    } catch (e) {
      // ENOTDIR: a file above it; going up finds that file and says so.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new OutputError(`${option} ${shown}: cannot use ${d} (${why(e)}); accepted: a path in a writable directory`);
      const up = dirname(d);
      if (up === d) throw new OutputError(`${option} ${shown}: no existing directory above it; accepted: a path in a writable directory`);
      d = up;
      continue;
    }
    if (!st.isDirectory()) throw new OutputError(`${option} ${shown}: ${d} is a file, not a directory; accepted: a path in a writable directory`);
    try {
      accessSync(d, constants.W_OK | constants.X_OK);
    } catch (e) {
      throw new OutputError(`${option} ${shown}: ${d} is not writable (${why(e)}); accepted: a path in a writable directory`);
    }
    return;
  }
}

/** Before a search: `dir` is, or can be made as, a writable directory. */
export function checkOutputDir(option: string, dir: string): void {
  checkLength(option, dir);
  writableAncestor(option, dir, dir);
}

/** Before a search: `file` can be written (a writable file or none yet, in a directory that is or can be made writable). */
export function checkOutputFile(option: string, file: string): void {
  checkLength(option, file);
  let st;
  try {
    st = statSync(file);
  } catch {
    st = null;
  }
  if (st?.isDirectory()) throw new OutputError(`${option} ${file}: a directory; accepted: a file path in a writable directory`);
  if (st) {
    try {
      accessSync(file, constants.W_OK);
    } catch (e) {
      throw new OutputError(`${option} ${file}: not writable (${why(e)}); accepted: a file path in a writable directory`);
    }
  }
  writableAncestor(option, file, dirname(file));
}

/**
 * Writes a search's results with `write(dir)`; when that fails (the disk
 * filled, the directory went away), writes them to a fresh temporary
 * directory instead and says so in `lost`, one line naming both.
 */
export function writeOrKeep<T>(option: string, dir: string, write: (dir: string) => T): { readonly value: T; readonly lost: string | null } {
  try {
    return { value: write(dir), lost: null };
  } catch (e) {
    const tmp = mkdtempSync(join(tmpdir(), 'pagercheck-kept-'));
    let value: T;
    try {
      value = write(tmp);
    } catch (e2) {
      // The same failure again: it is not the path (a name the results make that is too long, a full disk).
      throw new OutputError(`${option} ${dir}: writing the results failed (${why(e)}), and again in ${tmp} (${why(e2)})`);
    }
    return { value, lost: `${option} ${dir}: writing failed (${why(e)}); the results were written to ${tmp} instead` };
  }
}
