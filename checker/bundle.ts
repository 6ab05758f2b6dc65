/*
 * The worker thread's code as one JavaScript file (esbundle.mjs): a worker
 * starts in ~0.1 s instead of ~0.35 s through tsx, and runs the search about
 * twice as fast. The bundle carries the ref's resolver module, registered
 * under its specifier, so that the program's classes (KernelAssertion among
 * them) are the worker's own, one copy. When it cannot be built or written,
 * or the resolver lives outside the project (its sources are not in the
 * bundle's hash), the caller falls back to worker.mjs (tsx).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSource } from './esbundle.mjs';
import { PROJECT_ROOT, resolverUrl } from './tasks.ts';

export { BUNDLE_DIR, pruneBundles } from './esbundle.mjs';

/** Path of the bundled worker for programs of `resolver`, building it if needed; the reason when it cannot be had. */
export function workerBundle(resolver: string): Promise<{ file: string } | { error: string }> {
  const file = fileURLToPath(resolverUrl(resolver));
  const rel = path.relative(PROJECT_ROOT, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return Promise.resolve({ error: `resolver ${resolver} is outside the project` });
  const slug = rel.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9]+/g, '-');
  const entry = [
    `import ${JSON.stringify(path.join(PROJECT_ROOT, 'checker', 'worker.ts'))};`,
    `import { registerResolver } from ${JSON.stringify(path.join(PROJECT_ROOT, 'checker', 'tasks.ts'))};`,
    `import * as resolver from ${JSON.stringify(file)};`,
    `registerResolver(${JSON.stringify(resolver)}, resolver);`,
  ].join('\n');
  return bundleSource(entry, `worker-${slug}`);
}
