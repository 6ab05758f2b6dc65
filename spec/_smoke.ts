import { runExecution, firstRunnable } from '../checker/runtime.ts';
import { makeWorld, type World } from '../impl/kernel/world.ts';
import { createConformance } from './conformance.ts';
import { vnode_create_vobject, vnode_pager_alloc, vnode_pager_setsize } from '../impl/vnode_pager.ts';
import { vn_lock, VOP_UNLOCK, vgone } from '../impl/kernel/vnode.ts';
import { LK_EXCLUSIVE } from '../impl/kernel/sync.ts';
import { vm_object_deallocate } from '../impl/kernel/vm_object.ts';
import { EventLog } from '../impl/kernel/observe.ts';

let w: World | undefined;
const conf = createConformance(() => w?.k);
const log = new EventLog();
const obs = { emit(e: any) { log.emit(e); conf.observer.emit(e); } };
const r = runExecution({
  name: 'smoke',
  setup(ctx) {
    w = makeWorld(ctx, { flavor: 'block', f_iosize: 4096, fileSize: 10000, observer: obs });
    ctx.spawn('T1', function* () {
      const vp = w!.vp;
      yield* vn_lock(w!.k, vp, LK_EXCLUSIVE);
      yield* vnode_create_vobject(w!.k, vp, 0, null);
      const o = yield* vnode_pager_alloc(w!.k, vp, 10000, 0, 0, null);
      yield* vnode_pager_setsize(w!.k, vp, 5000);
      yield* VOP_UNLOCK(w!.k, vp, 0);
      yield* vm_object_deallocate(w!.k, o);
      yield* vn_lock(w!.k, vp, LK_EXCLUSIVE);
      yield* vgone(w!.k, vp);
      yield* VOP_UNLOCK(w!.k, vp, 0);
    });
    return w;
  },
}, firstRunnable, { stepCheck: conf.stepCheck });
console.log(JSON.stringify(r.result));
console.log(log.events.map(e => JSON.stringify(e)).join('\n'));
console.log(conf.states(), conf.stats);
