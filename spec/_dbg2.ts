import { runExecution, firstRunnable } from '../checker/runtime.ts';
import { makeWorld, attachObject, type World } from '../impl/kernel/world.ts';
import { writeMapper, reclaimer } from './drivers.ts';
let w: World | undefined;
const r = runExecution({ name: 'x', setup(ctx) { w = makeWorld(ctx, { flavor: 'block', f_iosize: 4096, fileSize: 10000 }); attachObject(w, w.vp);
  const a = writeMapper(4096), b = reclaimer();
  ctx.spawn('wm', () => a.body(w!)); ctx.spawn('rc', () => b.body(w!)); return w; } }, {
  pickThread(ready, exec) { const order = (process.argv[2] ?? '').split(',').map(Number); const i = exec.steps.length; const want = order[i]; return (ready.find(t => t.tid === want) ?? ready[ready.length-1]!).tid; }, pickChoice() { return 0; } });
console.log(JSON.stringify(r.result));
console.log(r.steps.map((s, i) => `${i} ${r.threadNames[s.tid]} ${s.label}${s.line ? '@' + s.line : ''}${s.fn ? ' ' + s.fn : ''}`).join('\n'));
