// One entry point of pagercheck's TypeScript as one JavaScript file, built by
// esbuild into dist/ (its package imports resolve from the project's
// node_modules). Plain JavaScript: cli/bin.mjs loads it before anything can
// run TypeScript. `npm run build` (run by `prepare`, so by `npm ci`) writes
// the command's and the pager worker's bundles (checker/build.mjs: that
// script lives apart, as a top-level await here would make every module of
// the bundles that import this one asynchronous). A source changed since is rebuilt at run time (the
// fallback for a working copy being edited), and when no bundle can be had
// the sources run through tsx.
//
// Why: code run through tsx's loader is about twice as slow in the search
// (exports behind getters, a __name call for every closure made, source maps
// on), and a worker thread takes ~0.35 s to start through it instead of ~0.1 s.
//
// The cache key is a hash of every source (.ts, .mjs) of the project and the
// esbuild version, so a changed source rebuilds; files are written once
// (temporary file + rename: concurrent runs never see half a file) and those
// of other source versions are removed once an hour old.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = path.join(ROOT, 'dist');
const SOURCE_DIRS = ['seed', 'checker', 'impl', 'properties', 'spec', 'traces', 'cli', 'bench'];

function sources() {
  const out = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      // .mjs too: esbundle.mjs and the like are bundled as well.
      else if ((e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) || e.name.endsWith('.mjs')) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(ROOT, d));
  return out;
}

/* esbuild keeps `import.meta` as the bundle's: give each module its own file's URL and directory instead. */
const importMetaPlugin = {
  name: 'pagercheck-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

/** Bundles of other source versions, not touched for an hour (a run still loading one is younger), are removed. */
export function pruneBundles(keep) {
  const hour = 3600_000;
  let names;
  try {
    names = fs.readdirSync(BUNDLE_DIR);
  } catch {
    return;
  }
  const stem = path.basename(keep).replace(/-[0-9a-f]{16}\.mjs$/, '');
  for (const f of names) {
    const p = path.join(BUNDLE_DIR, f);
    if (p === keep || !new RegExp(`^${stem}-[0-9a-f]{16}\\.mjs(\\.\\d+\\.tmp)?$`).test(f)) continue;
    try {
      if (Date.now() - fs.statSync(p).mtimeMs > hour) fs.rmSync(p, { force: true });
    } catch {
      // Another run removed it first.
    }
  }
}

/**
 * The bundle of `entry` (a path relative to the project), named `<name>-<hash>.mjs`:
 * { file } when it exists or was built, { error } (one line) when it cannot be had.
 */
export function bundleEntry(entry, name) {
  return bundle(name, entry, { entryPoints: [path.join(ROOT, entry)] });
}

/**
 * The bundle of a generated entry module (`contents`, imports resolved from the project root), named
 * `<name>-<hash>.mjs`; the hash covers the contents and every source, as bundleEntry's.
 */
export function bundleSource(contents, name) {
  return bundle(name, contents, { stdin: { contents, resolveDir: ROOT, sourcefile: `${name}-entry.ts`, loader: 'ts' } });
}

async function bundle(name, key, input) {
  if (process.env.PAGERCHECK_NO_BUNDLE) return { error: 'PAGERCHECK_NO_BUNDLE is set' };
  try {
    const esbuild = await import('esbuild');
    const h = createHash('sha256').update(`${esbuild.version}\0${key}\0`);
    for (const f of sources()) h.update(path.relative(ROOT, f)).update('\0').update(fs.readFileSync(f)).update('\0');
    const file = path.join(BUNDLE_DIR, `${name}-${h.digest('hex').slice(0, 16)}.mjs`);
    if (fs.existsSync(file)) return { file };
    const r = await esbuild.build({
      ...input,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
      plugins: [importMetaPlugin],
    });
    const out = r.outputFiles[0];
    if (out === undefined) return { error: 'esbuild produced no output' };
    fs.mkdirSync(BUNDLE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out.contents);
    fs.renameSync(tmp, file);
    pruneBundles(file);
    return { file };
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

/**
 * The worker thread's bundle for programs of `resolver` (a path from the project root, an absolute path or a
 * file: URL): checker/worker.ts and the resolver in one file, the resolver registered under its specifier, so
 * that the program's classes are the worker's own. A resolver outside the project is not bundled (its sources
 * are not in the hash): { error }, and the caller falls back to worker.mjs (tsx).
 */
export function bundleWorker(resolver) {
  const file = resolver.startsWith('file:') ? fileURLToPath(resolver) : path.isAbsolute(resolver) ? resolver : path.join(ROOT, resolver);
  const rel = path.relative(ROOT, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return Promise.resolve({ error: `resolver ${resolver} is outside the project` });
  const slug = rel.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9]+/g, '-');
  const entry = [
    `import ${JSON.stringify(path.join(ROOT, 'checker', 'worker.ts'))};`,
    `import { registerResolver } from ${JSON.stringify(path.join(ROOT, 'checker', 'tasks.ts'))};`,
    `import * as resolver from ${JSON.stringify(file)};`,
    `registerResolver(${JSON.stringify(resolver)}, resolver);`,
  ].join('\n');
  return bundleSource(entry, `worker-${slug}`);
}

/** The bundles `npm run build` writes: the command's and its split search's worker (the pager's resolver). */
export const BUILD = [
  { what: 'the command (cli/main.ts)', make: () => bundleEntry('cli/main.ts', 'cli') },
  { what: 'the worker of the pager programs (checker/worker.ts, traces/checked.ts)', make: () => bundleWorker('traces/checked.ts') },
];

/**
 * The module `entry` (a path relative to the project) as the command runs it: its bundle, or, when the bundle
 * cannot be had (PAGERCHECK_NO_BUNDLE, no esbuild, a read-only node_modules), the TypeScript source through tsx.
 */
export async function importBundled(entry, name) {
  const b = await bundleEntry(entry, name);
  if ('file' in b) return import(pathToFileURL(b.file).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(path.join(ROOT, entry)).href);
}

