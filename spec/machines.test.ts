/*
 * The spec machines on their own: accepted sequences, guards, and the
 * events each must reject (the defects the oracle exists to catch).
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import type { KEvent } from '../impl/kernel/observe.ts';
import { objectLifecycleMachine } from './objectLifecycle.ts';
import { pageValidityMachine, classifyPageBits, type PageValidityContext } from './pageValidity.ts';
import { writeMappingsMachine } from './writeMappings.ts';
import { asyncGetpagesMachine } from './asyncGetpages.ts';
import { MACHINES, MACHINE_NAMES, stateString, statesOf, transitionsOf } from './catalog.ts';

/** Sends events in order; returns the final snapshot or the index of the first rejected event. */
function drive(m: AnyStateMachine, input: unknown, events: readonly KEvent[]): { snap: AnyMachineSnapshot; rejected: number | null } {
  let [snap] = initialTransition(m, input as never) as [AnyMachineSnapshot, unknown];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!snap.can(e as never)) return { snap, rejected: i };
    [snap] = transition(m, snap, e as never) as [AnyMachineSnapshot, unknown];
  }
  return { snap, rejected: null };
}
const state = (r: { snap: AnyMachineSnapshot }) => stateString(r.snap.value);

/* ---- object lifecycle ---- */

const vp = 'vp1';
const alloc = (obj: string, v = vp): KEvent => ({ type: 'OBJ_ALLOCATE', obj, vp: v, size: 1 });
const attach = (obj: string): KEvent => ({ type: 'OBJ_ATTACH', obj, vp });
const discard = (obj: string): KEvent => ({ type: 'OBJ_DISCARD', obj, vp });
const refs = (obj: string, n: number): KEvent => ({ type: 'OBJ_REFS', obj, refs: n });
const dead = (obj: string): KEvent => ({ type: 'OBJ_DEAD', obj });
const wait = (obj: string, wmesg: 'vodead' | 'vadead'): KEvent => ({ type: 'OBJ_DISCONNECT_WAIT', obj, wmesg });
const wake = (obj: string): KEvent => ({ type: 'OBJ_DISCONNECT_WAKE', obj });
const dealloc = (obj: string, n: number): KEvent => ({ type: 'OBJ_DEALLOC', obj, vp, refs: n });
const detach = (obj: string): KEvent => ({ type: 'OBJ_DETACH', obj, vp });
const destroy = (obj: string): KEvent => ({ type: 'OBJ_DESTROY', obj });
const setsize = (obj: string): KEvent => ({ type: 'OBJ_SETSIZE', obj, vnp_size: 100, size: 1 });

/** vnode_create_vobject: alloc, attach, drop the creation reference. */
const created = [alloc('obj1'), attach('obj1'), refs('obj1', 0)];
/** vgone of an unreferenced object with a "vadead" waiter. */
const reclaimedWithWaiter = [...created, dead('obj1'), wait('obj1', 'vadead'), wake('obj1'), dealloc('obj1', 0), destroy('obj1')];

describe('objectLifecycle', () => {
  const run = (events: KEvent[]) => drive(objectLifecycleMachine, { vp }, events);

  it('follows create, reference, terminate with a disconnect waiter, dealloc, destroy, reallocate', () => {
    expect(state(run(created))).toBe('alive');
    expect(state(run([...created, refs('obj1', 1), refs('obj1', 0)]))).toBe('alive');
    expect(state(run([...created, dead('obj1')]))).toBe('dead.terminating');
    expect(state(run([...created, dead('obj1'), wait('obj1', 'vodead')]))).toBe('dead.disconnectWait');
    const r = run(reclaimedWithWaiter);
    expect(r.rejected).toBeNull();
    expect(state(r)).toBe('deallocated');
    expect(r.snap.context).toMatchObject({ obj: null, refs: 0, pending: [], detached: [] });
    const again = run([...reclaimedWithWaiter, alloc('obj2'), attach('obj2')]);
    expect(state(again)).toBe('alive');
    expect(again.snap.context).toMatchObject({ obj: 'obj2', refs: 1 });
  });

  it('takes the "created while we were sleeping" retry: the loser is discarded, then destroyed', () => {
    const r = run([alloc('obj1'), alloc('obj2'), attach('obj1'), discard('obj2')]);
    expect(state(r)).toBe('alive');
    expect(r.snap.context).toMatchObject({ obj: 'obj1', pending: [], detached: [{ name: 'obj2', refs: 0, dead: false, handle: true }] });
    expect(run([alloc('obj1'), alloc('obj2'), attach('obj1'), discard('obj2'), destroy('obj2')]).snap.context).toMatchObject({ detached: [] });
    /* The loser can lose against a dying object too, and then waits "vadead". */
    expect(run([alloc('obj1'), alloc('obj2'), attach('obj1'), refs('obj1', 0), dead('obj1'), discard('obj2'), wait('obj1', 'vadead')]).rejected).toBeNull();
  });

  it('orphans a referenced object on destroy ("woe to the process"), then terminates it at its last reference', () => {
    const woe = [...created, refs('obj1', 1), refs('obj1', 2), dealloc('obj1', 2)];
    const r = run(woe);
    expect(state(r)).toBe('deallocated');
    expect(r.snap.context).toMatchObject({ obj: null, detached: [{ name: 'obj1', refs: 2, dead: false, handle: false }] });
    expect(run([...woe, refs('obj1', 1), refs('obj1', 0), dead('obj1'), destroy('obj1')]).rejected).toBeNull();
    /* An orphan is not destroyed before it is terminated, nor terminated while referenced. */
    expect(run([...woe, refs('obj1', 1), refs('obj1', 0), destroy('obj1')]).rejected).toBe(woe.length + 2);
    expect(run([...woe, dead('obj1')]).rejected).toBe(woe.length);
    /* No reference is taken on it again. */
    expect(run([...woe, refs('obj1', 3)]).rejected).toBe(woe.length);
  });

  it('takes the seed 184 path: detach while terminating, dealloc later', () => {
    const r = run([...created, dead('obj1'), detach('obj1'), dealloc('obj1', 0), destroy('obj1')]);
    expect(r.rejected).toBeNull();
    expect(state(r)).toBe('deallocated');
    /* A late dealloc after a new object was attached would clear the new v_object: rejected. */
    expect(run([...created, dead('obj1'), detach('obj1'), alloc('obj2'), attach('obj2'), dealloc('obj1', 0)]).rejected).toBe(7);
  });

  it('rejects a new reference to a dead object', () => {
    expect(run([...created, dead('obj1'), refs('obj1', 1)]).rejected).toBe(4);
  });

  it('rejects termination of a referenced object and dealloc at a count not allowed', () => {
    expect(run([...created, refs('obj1', 1), dead('obj1')]).rejected).toBe(4);
    /* An unreferenced live object is terminated, never deallocated directly. */
    expect(run([...created, dealloc('obj1', 0)]).rejected).toBe(3);
    /* The dealloc must report the object's reference count. */
    expect(run([...created, refs('obj1', 1), dealloc('obj1', 2)]).rejected).toBe(4);
    expect(run([...created, dead('obj1'), dealloc('obj1', 1)]).rejected).toBe(4);
  });

  it('rejects a dealloc that leaves disconnect waiters asleep', () => {
    expect(run([...created, dead('obj1'), wait('obj1', 'vadead'), dealloc('obj1', 0)]).rejected).toBe(5);
  });

  it('rejects waiting for an object that is alive or already gone', () => {
    expect(run([...created, wait('obj1', 'vadead')]).rejected).toBe(3);
    expect(run([...created, dead('obj1'), dealloc('obj1', 0), wait('obj1', 'vadead')]).rejected).toBe(5);
    expect(run([...created, dead('obj1'), wait('obj1', 'vodead'), wake('obj1'), wake('obj1')]).rejected).toBe(6);
  });

  it('rejects attaching over an attached object and discarding an object nobody allocated', () => {
    expect(run([alloc('obj1'), alloc('obj2'), attach('obj1'), attach('obj2')]).rejected).toBe(3);
    expect(run([alloc('obj1'), discard('obj2')]).rejected).toBe(1);
    expect(run([alloc('obj1'), discard('obj1'), discard('obj1')]).rejected).toBe(2);
  });

  it('accepts the repaired allocator discarding its object on a doomed vnode that never had one (alloc-refuses-doomed-vnode)', () => {
    const r = run([alloc('obj1'), discard('obj1')]);
    expect(r.rejected).toBeNull();
    expect(state(r)).toBe('noObject');
    expect(r.snap.context).toMatchObject({ obj: null, pending: [] });
  });

  it('accepts a discard decided while the old object was attached and seen after it was deallocated', () => {
    /* Seed 245 sees v_object set; seed 253 (the event) comes after the reclaim cleared it. */
    const r = run([alloc('obj1'), alloc('obj2'), attach('obj2'), dealloc('obj2', 1), discard('obj1')]);
    expect(r.rejected).toBeNull();
    expect(state(r)).toBe('deallocated');
  });

  it('rejects events about objects it does not own or no longer has', () => {
    expect(run([alloc('obj1', 'vp2')]).rejected).toBe(0);
    expect(run([alloc('obj1'), alloc('obj1')]).rejected).toBe(1);
    expect(run([...created, destroy('obj1')]).rejected).toBe(3);
    expect(run([...reclaimedWithWaiter, destroy('obj1')]).rejected).toBe(reclaimedWithWaiter.length);
    expect(run([...reclaimedWithWaiter, setsize('obj1')]).rejected).toBe(reclaimedWithWaiter.length);
    expect(run([...created, refs('obj2', 1)]).rejected).toBe(3);
  });

  it('accepts setsize on a live or terminating object', () => {
    expect(run([...created, setsize('obj1'), dead('obj1'), setsize('obj1')]).rejected).toBeNull();
  });
});

/* ---- page validity ---- */

const P = { obj: 'obj1', pindex: 0 };
const insert: KEvent = { type: 'PAGE_INSERT', ...P };
const remove: KEvent = { type: 'PAGE_REMOVE', ...P };
const bits = (valid: number, dirty: number, busy: 'x' | 's' | 's2' | '-' = '-'): KEvent => ({
  type: 'PAGE_BITS',
  ...P,
  valid,
  dirty,
  xbusy: busy === 'x',
  sbusy: busy === 's' ? 1 : busy === 's2' ? 2 : 0,
});

describe('pageValidity', () => {
  const run = (events: KEvent[]) => drive(pageValidityMachine, P, events);

  it('reads a page in under exclusive busy, dirties it, cleans it by pageout, frees it', () => {
    const seq = [insert, bits(0xff, 0, 'x'), bits(0xff, 0), bits(0xff, 0xff), bits(0xff, 0xff, 's'), bits(0xff, 0, 's'), bits(0xff, 0), remove];
    expect(run(seq.slice(0, 1)).snap.value).toEqual({ resident: { contents: 'invalid', busy: 'exclusiveBusy' } });
    expect(state(run(seq.slice(0, 3)))).toBe('resident.(contents.fullyValid.clean, busy.unbusied)');
    expect(state(run(seq.slice(0, 5)))).toBe('resident.(contents.fullyValid.dirty, busy.sharedBusy)');
    expect(state(run(seq.slice(0, 6)))).toBe('resident.(contents.fullyValid.clean, busy.sharedBusy)');
    const r = run(seq);
    expect(r.rejected).toBeNull();
    expect(state(r)).toBe('notResident');
  });

  it('reads a partial page at EOF, zero-fills its tail, and zeroes the tail again on shrink', () => {
    expect(state(run([insert, bits(0x0f, 0, 'x')]))).toBe('resident.(contents.partiallyValid, busy.exclusiveBusy)');
    expect(state(run([insert, bits(0x0f, 0, 'x'), bits(0xff, 0, 'x')]))).toBe('resident.(contents.fullyValid.clean, busy.exclusiveBusy)');
    /* Shrink on an unbusied partly valid page: the tail past the new EOF becomes valid. */
    expect(state(run([insert, bits(0x01, 0, 'x'), bits(0x01, 0), bits(0xf1, 0)]))).toBe('resident.(contents.partiallyValid, busy.unbusied)');
    expect(state(run([insert, bits(0x0f, 0, 'x'), bits(0x0f, 0), bits(0xff, 0)]))).toBe('resident.(contents.fullyValid.clean, busy.unbusied)');
    /* Shrink on a dirty page clears the dirty tail only. */
    expect(state(run([insert, bits(0xff, 0, 'x'), bits(0xff, 0), bits(0xff, 0xff), bits(0xff, 0x0f)]))).toBe('resident.(contents.fullyValid.partiallyDirty, busy.unbusied)');
  });

  it('rejects valid bits set without exclusive busy, except a tail on a partly valid page', () => {
    expect(run([insert, bits(0, 0), bits(0xff, 0)]).rejected).toBe(2);
    /* Seed 437: a completely invalid page is never marked partially valid by the shrink. */
    expect(run([insert, bits(0, 0), bits(0xf0, 0)]).rejected).toBe(2);
    /* Not a tail: a block in the middle. */
    expect(run([insert, bits(0x01, 0, 'x'), bits(0x01, 0), bits(0x03, 0)]).rejected).toBe(3);
  });

  it('rejects valid bits that shrink, and dirty bits on a page not fully valid', () => {
    expect(run([insert, bits(0xff, 0, 'x'), bits(0x0f, 0, 'x')]).rejected).toBe(2);
    expect(run([insert, bits(0x0f, 0, 'x'), bits(0x0f, 0x01, 'x')]).rejected).toBe(2);
    /* vm_page_dirty sets the whole mask. */
    expect(run([insert, bits(0xff, 0, 'x'), bits(0xff, 0), bits(0xff, 0x0f)]).rejected).toBe(3);
  });

  it('rejects dirty bits cleared outside pageout unless they are a tail', () => {
    expect(run([insert, bits(0xff, 0, 'x'), bits(0xff, 0), bits(0xff, 0xff), bits(0xff, 0)]).rejected).toBe(4);
    expect(run([insert, bits(0xff, 0, 'x'), bits(0xff, 0), bits(0xff, 0xff), bits(0xff, 0xf0)]).rejected).toBe(4);
  });

  it('rejects shared busy on a page that is not fully valid, and switching busy kinds', () => {
    expect(run([insert, bits(0x0f, 0, 'x'), bits(0x0f, 0), bits(0x0f, 0, 's')]).rejected).toBe(3);
    expect(run([insert, bits(0xff, 0, 'x'), bits(0xff, 0, 's')]).rejected).toBe(2);
    expect(state(run([insert, bits(0xff, 0, 'x'), bits(0xff, 0), bits(0xff, 0, 's'), bits(0xff, 0, 's2'), bits(0xff, 0, 's')]))).toBe(
      'resident.(contents.fullyValid.clean, busy.sharedBusy)',
    );
  });

  it('rejects freeing a shared-busy page, bits of a page not resident, and a second insert', () => {
    expect(run([insert, bits(0xff, 0, 'x'), bits(0xff, 0), bits(0xff, 0, 's'), remove]).rejected).toBe(4);
    expect(run([bits(0xff, 0, 'x')]).rejected).toBe(0);
    expect(run([insert, insert]).rejected).toBe(1);
    /* An exclusive-busy page may be freed (vm_page_remove releases the busy lock). */
    expect(run([insert, remove, insert]).rejected).toBeNull();
  });

  it('classifies each change, and says why an illegal one is', () => {
    const c = (valid: number, dirty: number, xbusy = false, sbusy = 0): PageValidityContext => ({ obj: 'obj1', pindex: 0, valid, dirty, xbusy, sbusy });
    const k = (ctx: PageValidityContext, e: KEvent) => {
      const r = classifyPageBits(ctx, e as Extract<KEvent, { type: 'PAGE_BITS' }>);
      return 'illegal' in r ? r.illegal : `${r.contents}/${r.busy}`;
    };
    expect(k(c(0, 0, true), bits(0xff, 0, 'x'))).toBe('fillWhole/unchanged');
    expect(k(c(0, 0, true), bits(0x07, 0, 'x'))).toBe('fillPartial/unchanged');
    expect(k(c(0x07, 0), bits(0xff, 0))).toBe('tailZeroValid/unchanged');
    expect(k(c(0xff, 0xff, false, 1), bits(0xff, 0x03, 's'))).toBe('pageoutClipsDirty/unchanged');
    expect(k(c(0xff, 0xff), bits(0xff, 0x03))).toBe('shrinkClearsDirtyTail/unchanged');
    expect(k(c(0xff, 0xff), bits(0, 0))).toBe('invalidated/unchanged');
    /* vm_object_page_remove waits out exclusive busy before it invalidates a wired page. */
    expect(k(c(0xff, 0xff, true), bits(0, 0, 'x'))).toMatch(/not a change the pager or its callees make/);
    /* valid = 0, then vm_page_undirty: the dirty bits of an invalid page last one store. */
    expect(k(c(0xff, 0xff), bits(0, 0xff))).toBe('invalidated/unchanged');
    expect(k(c(0, 0xff), bits(0, 0))).toBe('invalidated/unchanged');
    expect(k(c(0xff, 0, true), bits(0xff, 0))).toBe('unchanged/xunbusy');
    expect(k(c(0x0f, 0), bits(0x0f, 0x01))).toMatch(/not fully valid/);
    expect(k(c(0xff, 0, true), bits(0xff, 0, 's'))).toMatch(/busy exclusiveBusy -> sharedBusy/);
  });
});

/* ---- write mappings ---- */

const O = 'obj1';
const wmap = (n: number): KEvent => ({ type: 'WRITEMAPPINGS', obj: O, writemappings: n });
const wcount = (n: number): KEvent => ({ type: 'WRITECOUNT', vp, v_writecount: n });

describe('writeMappings', () => {
  const run = (events: KEvent[]) => drive(writeMappingsMachine, { obj: O, v_writecount: 0 }, events);

  it('counts the object once while it has write mappings', () => {
    expect(state(run([wmap(4096)]))).toBe('writeMapped.countPending');
    expect(state(run([wmap(4096), wcount(1)]))).toBe('writeMapped.counted');
    expect(state(run([wmap(4096), wcount(1), wmap(8192), wmap(4096)]))).toBe('writeMapped.counted');
    expect(state(run([wmap(4096), wcount(1), wmap(0)]))).toBe('releasePending');
    expect(state(run([wmap(4096), wcount(1), wmap(0), wcount(0)]))).toBe('noWriteMappings');
  });

  it('gives the count back on reclaim and then refuses a release that raced with it', () => {
    const reclaim = [wmap(4096), wcount(1), wmap(0), wcount(0), { type: 'OBJ_DEALLOC', obj: O, vp, refs: 1 } as KEvent];
    expect(state(run(reclaim))).toBe('dead');
    /* Without the OBJT_VNODE recheck (seed 1388, 1353) the late release would drive writemappings below zero. */
    expect(run([...reclaim, wmap(-4096)]).rejected).toBe(reclaim.length);
    expect(run([...reclaim, wmap(0)]).rejected).toBe(reclaim.length);
    expect(state(run([...reclaim, { type: 'OBJ_DESTROY', obj: O }]))).toBe('destroyed');
  });

  it('rejects a dealloc that keeps write mappings, and changes before the count moved', () => {
    expect(run([wmap(4096), wcount(1), { type: 'OBJ_DEALLOC', obj: O, vp, refs: 0 }]).rejected).toBe(2);
    expect(run([wmap(4096), wmap(8192)]).rejected).toBe(1);
    expect(run([wmap(4096), { type: 'OBJ_DESTROY', obj: O }]).rejected).toBe(1);
    expect(run([wmap(-1)]).rejected).toBe(0);
  });

  it('only records another object\'s write count change, so the owed change is still missing', () => {
    /* -1 while +1 is owed: recorded, the state stays pending (the monitor then reports the step). */
    const r = run([wcount(1), wmap(4096), wcount(0)]);
    expect(r.rejected).toBeNull();
    expect(state(r)).toBe('writeMapped.countPending');
  });
});

/* ---- async getpages ---- */

describe('asyncGetpages', () => {
  const run = (events: KEvent[]) => drive(asyncGetpagesMachine, { req: 1 }, events);
  const issue: KEvent = { type: 'ASYNC_ISSUE', req: 1, obj: 'obj1' };
  const done = (error: number): KEvent => ({ type: 'ASYNC_DONE', req: 1, error });

  it('completes exactly once, with or without error', () => {
    expect(state(run([issue, done(0)]))).toBe('completed.ok');
    expect(state(run([issue, done(5)]))).toBe('completed.failed');
    expect(run([issue, done(0), done(0)]).rejected).toBe(2);
    expect(run([issue, done(5), done(0)]).rejected).toBe(2);
  });

  it('rejects a completion before the issue, a second issue, and another request\'s events', () => {
    expect(run([done(0)]).rejected).toBe(0);
    expect(run([issue, issue]).rejected).toBe(1);
    expect(run([{ type: 'ASYNC_ISSUE', req: 2, obj: 'obj1' }]).rejected).toBe(0);
  });
});

/* ---- descriptions ---- */

describe('every state and transition says which seed code it abstracts', () => {
  const names = /seed \d+|vm_\w+|vnode_\w+|VOP_\w+|pmap_\w+|OBJ_\w+|OBJT_\w+|VM_PAGE_BITS_ALL|writemappings|valid ==|dirty ==|iodone/;
  for (const n of MACHINE_NAMES) {
    it(n, () => {
      const m = MACHINES[n] as AnyStateMachine;
      for (const s of statesOf(m)) expect.soft(s.description, `state ${n}.${s.path || '(root)'}`).toMatch(names);
      for (const t of transitionsOf(m)) expect.soft(t.description, `transition ${t.id}`).toMatch(names);
    });
  }
});
