import { it, expect } from 'vitest';
import { runWorld, attachObject, residentPage } from './kernel/world.ts';
import { vnode_pager_generic_getpages } from './vnode_pager_io.ts';
import type { vm_page } from './kernel/vm_page.ts';
it('smoke', () => {
  let m: vm_page[] = [];
  let rv = -1;
  const r = runWorld({ flavor: 'block', f_iosize: 16384, fileSize: 40000 }, (w) => {
    const obj = attachObject(w, w.vp);
    m = [residentPage(w, obj, 5, { busy: 'x' })];
  }, {
    *T(w) { rv = yield* vnode_pager_generic_getpages(w.k, w.vp, m, 1, { v: 3 }, { v: 3 }, null, null); },
  });
  console.log(r.result, rv, r.steps.map(s => `${r.threadNames[s.tid]}:${s.label}${s.line ? '@'+s.line : ''}`).join('\n'));
  console.log(r.world!.vp.v_object!.memq.map(p => `${p.name} v=${p.valid.toString(16)} ${p.data.join(',')}`).join('\n'));
  console.log(r.world!.expected(r.world!.vp).slice(16, 48).join(','));
  expect(r.result.status).toBe('ok');
});
