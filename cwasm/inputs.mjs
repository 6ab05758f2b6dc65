/*
 * What the compiled seed is built from: flags, exports, the imports that may
 * suspend the C stack, and the hash of every input file. Shared by the build
 * (cwasm/build.mjs) and its up-to-date test, which needs no clang.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const CFLAGS = ['--target=wasm32', '-mmutable-globals', '-ffreestanding', '-nostdinc', '-fno-builtin', '-isystem', 'cwasm/include', '-O2', '-g', '-Wall', '-Wno-unused-variable', '-Wno-unused-but-set-variable'];

/* The seed's extern functions and data, the pager table, and what the runtime needs of the module. */
export const EXPORTS = [
  'vnodepagerops', 'vnode_pbuf_freecnt', 'vnode_async_pbuf_freecnt',
  'vnode_create_vobject', 'vnode_destroy_vobject', 'vnode_pager_setsize', 'vnode_pager_local_getpages',
  'vnode_pager_local_getpages_async', 'vnode_pager_generic_getpages', 'vnode_pager_generic_putpages',
  'vnode_pager_putpages_ioflags', 'vnode_pager_undirty_pages', 'vnode_pager_update_writecount', 'vnode_pager_release_writecount',
  '__stack_pointer', '__heap_base', 'pc_layout', 'pc_layout_count', 'pc_pgiodone_fn',
];

/*
 * Imports that may suspend the C thread: every kernel callee (the runtime
 * unwinds only when the TypeScript routine yields an Op), and the loads (an
 * unprotected read the port makes a step of its own). Not KASSERT's failure,
 * panic or printf (they never block), nor the stores (the port records a
 * store inside the current step).
 */
export const SYNC_IMPORTS = new Set(['kassert_fail', 'panic', 'printf', 'load_ptr', 'store_ptr', 'load_val_f32', 'load_val_f64',
  'store_val_i32', 'store_val_i64', 'store_val_f32', 'store_val_f64', 'vm_page_bits', 'VM_CNT_ADD']);

export function asyncImports(names) {
  return names.filter((n) => !SYNC_IMPORTS.has(n));
}

function files(dir) {
  return readdirSync(dir).sort().flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

/** SHA-256 over the inputs' paths and contents, in a fixed order. */
export function inputsHash(root) {
  const h = createHash('sha256');
  const list = ['seed/vnode_pager.c', 'cwasm/layout.c', 'cwasm/build.mjs', 'cwasm/inputs.mjs', ...files(join(root, 'cwasm/include')).map((f) => relative(root, f))];
  for (const f of list) h.update(`${f}\n`).update(readFileSync(join(root, f))).update('\n');
  return h.digest('hex');
}
