/*
 * The worker thread's code as one JavaScript file (esbundle.mjs bundleWorker):
 * a worker starts in ~0.1 s instead of ~0.35 s through tsx, and runs the
 * search about twice as fast. The bundle carries the ref's resolver module,
 * registered under its specifier, so that the program's classes
 * (KernelAssertion among them) are the worker's own, one copy. When it cannot
 * be built or written, or the resolver lives outside the project, the caller
 * falls back to worker.mjs (tsx).
 */
import { bundleWorker } from './esbundle.mjs';

export { BUNDLE_DIR, pruneBundles } from './esbundle.mjs';

/** Path of the bundled worker for programs of `resolver`, building it if needed; the reason when it cannot be had. */
export function workerBundle(resolver: string): Promise<{ file: string } | { error: string }> {
  return bundleWorker(resolver);
}
