/*
 * Where the CLI writes, so tests can run main() in-process and read what it
 * printed. The process's streams by default.
 */
export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** stderr is a terminal: progress draws a bar. */
  readonly errIsTTY: boolean;
  /** Ctrl-C; default: the process's SIGINT. */
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
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
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
