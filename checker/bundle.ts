/*
 * The worker thread's code as one JavaScript file (esbuild), so that a
 * worker starts in ~0.1 s instead of ~0.35 s loading tsx and transforming
 * each TypeScript module on its own. Content-addressed: the file is named by
 * the hash of its bytes, written once (temporary file + rename, so
 * concurrent runs and shards on one machine never see half a file), and
 * never changes. It lives under node_modules/.cache so that its package
 * imports (zod, xstate) resolve from the project. When it cannot be built
 * or written, the caller falls back to worker.mjs (tsx).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
export const BUNDLE_DIR = path.join(ROOT, 'node_modules', '.cache', 'pagercheck');

/** Path of the bundled worker, building it if needed; null (with the reason) when it cannot be had. */
export async function workerBundle(): Promise<{ file: string } | { error: string }> {
  // For debugging a worker in its TypeScript sources, and to test the fallback.
  if (process.env.PAGERCHECK_NO_BUNDLE) return { error: 'PAGERCHECK_NO_BUNDLE is set' };
  try {
    const esbuild = await import('esbuild');
    const r = await esbuild.build({
      entryPoints: [path.join(HERE, 'worker.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
      // Keep function and class names: counterexamples and errors print them.
      keepNames: true,
    });
    const out = r.outputFiles[0];
    if (out === undefined) return { error: 'esbuild produced no output' };
    const hash = createHash('sha256').update(out.contents).digest('hex').slice(0, 16);
    const file = path.join(BUNDLE_DIR, `worker-${hash}.mjs`);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(BUNDLE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, out.contents);
      fs.renameSync(tmp, file);
      pruneBundles(file);
    }
    return { file };
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

/** Bundles of other source versions, not touched for an hour (a run still loading one is younger), are removed. */
export function pruneBundles(keep: string): void {
  const hour = 3600_000;
  for (const f of fs.readdirSync(BUNDLE_DIR)) {
    const p = path.join(BUNDLE_DIR, f);
    if (p === keep || !/^worker-[0-9a-f]{16}\.mjs(\.\d+\.tmp)?$/.test(f)) continue;
    try {
      if (Date.now() - fs.statSync(p).mtimeMs > hour) fs.rmSync(p, { force: true });
    } catch {
      // Another run removed it first.
    }
  }
}
