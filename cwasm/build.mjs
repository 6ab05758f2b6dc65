#!/usr/bin/env node
/*
 * npm run build:c: the seed (seed/vnode_pager.c, unmodified) compiled with
 * Debian's clang and lld to wasm32, freestanding, against the shim headers of
 * cwasm/include/, then instrumented by binaryen's wasm-opt: every load and
 * store calls the runtime (--instrument-memory), and every kernel callee may
 * suspend the C stack (--asyncify). Writes cwasm/vnode_pager.wasm and
 * cwasm/vnode_pager.map.json (the instrumented memory accesses per function,
 * and the hash of the inputs, which cwasm/cwasm.test.ts recomputes).
 *
 * --check: build into a temporary directory and compare with the committed
 * module (exit 1 when they differ).
 *
 * --input FILE --out DIR [--include DIR]...: build another revision of
 * vnode_pager.c instead of the seed, with shim directories searched before
 * cwasm/include (cwasm/README.md, "Another revision"), into DIR; the
 * committed module is not touched. Exports the revision does not define are
 * left out.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputsHash, asyncImports, EXPORTS, CFLAGS } from './inputs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const check = process.argv.includes('--check');
const argOf = (name) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const input = argOf('--input');
const outDir = argOf('--out');
const includes = process.argv.flatMap((a, i) => (a === '--include' ? [process.argv[i + 1]] : []));
if (input !== undefined && (outDir === undefined || check)) throw new Error('build:c --input FILE needs --out DIR (and no --check): another revision never replaces the committed module');
if (input === undefined && (outDir !== undefined || includes.length > 0)) throw new Error('build:c: --out and --include go with --input FILE');
const source = input ?? 'seed/vnode_pager.c';
const sourceName = source.split('/').pop().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tmp = mkdtempSync(join(tmpdir(), 'pagercheck-cwasm-'));
const wasmOpt = join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt');

/* Debian's llvm-objdump of the clang it compiles with (not on PATH there). */
function objdump() {
  for (const c of ['llvm-objdump', '/usr/lib/llvm-14/bin/llvm-objdump']) {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore' });
      return c;
    } catch {
      /* next */
    }
  }
  throw new Error('build:c needs llvm-objdump (Debian: /usr/lib/llvm-14/bin, installed with clang)');
}

function run(cmd, args) {
  return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
}

try {
  const cc = (src, out) => run('clang', [...includes.flatMap((d) => ['-isystem', d]), ...CFLAGS, '-c', src, '-o', out]);
  cc(source, join(tmp, 'vnode_pager.o'));
  cc('cwasm/layout.c', join(tmp, 'layout.o'));
  run('wasm-ld', ['--no-entry', '--allow-undefined', '--export-table', ...EXPORTS.map((e) => `--export${input === undefined ? '' : '-if-defined'}=${e}`),
    '-o', join(tmp, 'linked.wasm'), join(tmp, 'vnode_pager.o'), join(tmp, 'layout.o')]);
  const out = join(tmp, 'vnode_pager.wasm');
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(tmp, "linked.wasm")))).map((i) => i.name);
  const ASYNC_IMPORTS = asyncImports([...imports, 'load_val_i32', 'load_val_i64']);
  run(wasmOpt, [join(tmp, 'linked.wasm'), '--strip-dwarf', '--instrument-memory', '--asyncify',
    `--pass-arg=asyncify-imports@${ASYNC_IMPORTS.map((n) => `env.${n}`).join(',')}`, '-O1', '-o', out]);
  /* Which function each instrumented access (its id, the first argument of load_ptr / store_ptr) is in. */
  const text = run(wasmOpt, [join(tmp, 'linked.wasm'), '--strip-dwarf', '--instrument-memory', '--print', '-o', '/dev/null']);
  const accesses = {};
  let fn = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const f = /^ \(func \$(\S+)/.exec(lines[i]);
    if (f) fn = f[1];
    const t = lines[i].trim();
    if ((t === '(call $load_ptr' || t === '(call $store_ptr') && fn !== null) {
      const id = /^\(i32\.const (\d+)\)$/.exec(lines[i + 1].trim());
      if (id === null) throw new Error(`build:c: no access id after ${t} in ${fn}`);
      accesses[id[1]] = fn;
    }
  }
  /*
   * The seed line of each access: the k-th load or store of a function in
   * the linked module (llvm-objdump -l, from its DWARF lines) is the k-th
   * access wasm-opt numbers in it (both in code order).
   */
  const dis = run(objdump(), ['-d', '-l', join(tmp, 'linked.wasm')]);
  const linesOf = new Map();
  let cur = null;
  let line = 0;
  for (const l of dis.split('\n')) {
    const f = /^[0-9a-f]+ <(\S+)>:$/.exec(l);
    if (f) {
      cur = [];
      linesOf.set(f[1], cur);
      line = 0;
      continue;
    }
    const src = new RegExp(`^; .*${sourceName}:(\\d+)$`).exec(l);
    if (src) line = Number(src[1]);
    else if (/^; /.test(l)) line = 0;
    if (cur !== null && /\t[if](32|64)\.(load|store)\S*\t/.test(l)) cur.push(line);
  }
  const byFn = new Map();
  for (const [id, f] of Object.entries(accesses).sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const seen = byFn.get(f) ?? 0;
    byFn.set(f, seen + 1);
    const ls = linesOf.get(f);
    if (ls === undefined || ls.length <= seen) throw new Error(`build:c: ${f}: the disassembly has fewer loads and stores than wasm-opt instrumented`);
    accesses[id] = [f, ls[seen]];
  }
  for (const [f, n] of byFn) if (linesOf.get(f).length !== n) throw new Error(`build:c: ${f}: ${linesOf.get(f).length} loads and stores disassembled, ${n} instrumented`);
  const map = { inputs: inputsHash(root), accesses };
  const mapText = JSON.stringify(map, null, 1) + '\n';
  if (input !== undefined) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'vnode_pager.wasm'), readFileSync(out));
    writeFileSync(join(outDir, 'vnode_pager.map.json'), JSON.stringify({ input: source, accesses }, null, 1) + '\n');
    console.log(`${outDir}/vnode_pager.wasm (from ${source}): ${readFileSync(out).length} bytes, ${Object.keys(accesses).length} instrumented accesses`);
  } else if (check) {
    const same = readFileSync(join(here, 'vnode_pager.wasm')).equals(readFileSync(out)) && readFileSync(join(here, 'vnode_pager.map.json'), 'utf8') === mapText;
    console.log(same ? 'cwasm/vnode_pager.wasm is up to date' : 'cwasm/vnode_pager.wasm differs from a fresh build: run npm run build:c');
    process.exitCode = same ? 0 : 1;
  } else {
    writeFileSync(join(here, 'vnode_pager.wasm'), readFileSync(out));
    writeFileSync(join(here, 'vnode_pager.map.json'), mapText);
    console.log(`cwasm/vnode_pager.wasm: ${readFileSync(out).length} bytes, ${Object.keys(accesses).length} instrumented accesses`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
