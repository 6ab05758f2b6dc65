/*
 * The vm object lifecycle of one vnode, as vnode_pager.c (seed) and
 * vm_object_terminate / vm_object_deallocate (callees.md) drive it.
 *
 * One machine instance per vnode. The top-level state says what vp->v_object
 * is; the context keeps the attached object's reference count and the
 * vnode's other objects: allocations not attached yet (racing allocators,
 * seed 234-258) and objects no longer attached but not yet destroyed
 * (deallocated, discarded, or orphaned with references by the "woe" path).
 * Events are the kernel's observer events (impl/kernel/observe.ts), routed
 * here by the vnode their object belongs to.
 */
import { assign, setup } from 'xstate';
import type { KEvent } from '../impl/kernel/observe.ts';

/** An object of this vnode that is no longer vp->v_object and not yet destroyed. */
export interface DetachedObject {
  readonly name: string;
  /** Its ref_count. */
  readonly refs: number;
  /** OBJ_DEAD is set (vm_object_terminate has begun). */
  readonly dead: boolean;
  /** object->handle still points at the vnode (not cleared by vnode_pager_dealloc, seed 289). */
  readonly handle: boolean;
}

export interface ObjectLifecycleContext {
  readonly vp: string;
  /** vp->v_object, or null. */
  readonly obj: string | null;
  /** ref_count of vp->v_object (0 when there is none). */
  readonly refs: number;
  /** Objects allocated for the vnode and not attached yet (seed 238-243), sorted. */
  readonly pending: readonly string[];
  /** Objects of the vnode that left v_object and are not destroyed yet, sorted by name. */
  readonly detached: readonly DetachedObject[];
}

export type ObjectLifecycleEvent = Extract<
  KEvent,
  {
    type:
      | 'OBJ_ALLOCATE'
      | 'OBJ_ATTACH'
      | 'OBJ_DISCARD'
      | 'OBJ_REFS'
      | 'OBJ_DEAD'
      | 'OBJ_DISCONNECT_WAIT'
      | 'OBJ_DISCONNECT_WAKE'
      | 'OBJ_DEALLOC'
      | 'OBJ_DETACH'
      | 'OBJ_DESTROY'
      | 'OBJ_SETSIZE';
  }
>;

export const OBJECT_LIFECYCLE_EVENTS = [
  'OBJ_ALLOCATE',
  'OBJ_ATTACH',
  'OBJ_DISCARD',
  'OBJ_REFS',
  'OBJ_DEAD',
  'OBJ_DISCONNECT_WAIT',
  'OBJ_DISCONNECT_WAKE',
  'OBJ_DEALLOC',
  'OBJ_DETACH',
  'OBJ_DESTROY',
  'OBJ_SETSIZE',
] as const satisfies readonly ObjectLifecycleEvent['type'][];

type Ctx = ObjectLifecycleContext;
type Ev = ObjectLifecycleEvent;
type Args = { context: Ctx; event: Ev };

/** The object an event is about (every lifecycle event names one). */
function objOf(e: Ev): string {
  return e.obj;
}
function detachedOf(c: Ctx, e: Ev): DetachedObject | undefined {
  const o = objOf(e);
  return c.detached.find((d) => d.name === o);
}
function withDetached(list: readonly DetachedObject[], d: DetachedObject): DetachedObject[] {
  return [...list.filter((x) => x.name !== d.name), d].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
function known(c: Ctx, o: string): boolean {
  return c.obj === o || c.pending.includes(o) || c.detached.some((d) => d.name === o);
}

export const objectLifecycleMachine = setup({
  types: {
    context: {} as ObjectLifecycleContext,
    events: {} as ObjectLifecycleEvent,
    input: {} as { vp: string },
  },
  guards: {
    /** OBJ_ALLOCATE names this vnode and an object it does not know yet. */
    isFreshAllocation: ({ context, event }: Args) => event.type === 'OBJ_ALLOCATE' && event.vp === context.vp && !known(context, event.obj),
    /** The event is about an allocation of this vnode that is not attached (seed 238-243). */
    isPendingObject: ({ context, event }: Args) =>
      context.pending.includes(objOf(event)) && (event.type !== 'OBJ_ATTACH' && event.type !== 'OBJ_DISCARD' ? true : event.vp === context.vp),
    /** The event is about vp->v_object. */
    isAttachedObject: ({ context, event }: Args) => context.obj !== null && objOf(event) === context.obj,
    /** ref_count of vp->v_object went up by one: a live object gains a reference (seed 261-262). */
    isNewReference: ({ context, event }: Args) => event.type === 'OBJ_REFS' && event.obj === context.obj && event.refs === context.refs + 1,
    /** ref_count of vp->v_object went down by one, not below zero. */
    isReferenceDrop: ({ context, event }: Args) => event.type === 'OBJ_REFS' && event.obj === context.obj && context.refs > 0 && event.refs === context.refs - 1,
    /** vm_object_terminate may start only on an object with no references (vnode_destroy_vobject, seed 168-174). */
    hasNoReferences: ({ context, event }: Args) => objOf(event) === context.obj && context.refs === 0,
    /** Destroy with references (seed 187-193): dealloc of a live object that still has references, reporting them. */
    isDeallocWithReferences: ({ context, event }: Args) =>
      event.type === 'OBJ_DEALLOC' && event.obj === context.obj && event.vp === context.vp && context.refs > 0 && event.refs === context.refs,
    /** vnode_pager_dealloc during termination: no references remain (terminate asserted it). */
    isDeallocOfTerminated: ({ context, event }: Args) =>
      event.type === 'OBJ_DEALLOC' && event.obj === context.obj && event.vp === context.vp && context.refs === 0 && event.refs === 0,
    /** The disconnect-wait sleep of vnode_create_vobject (seed 126-128). */
    isVodeadWait: ({ context, event }: Args) => event.type === 'OBJ_DISCONNECT_WAIT' && event.obj === context.obj && event.wmesg === 'vodead',
    /** The disconnect-wait sleep of vnode_pager_alloc (seed 228-229). */
    isVadeadWait: ({ context, event }: Args) => event.type === 'OBJ_DISCONNECT_WAIT' && event.obj === context.obj && event.wmesg === 'vadead',
    /** A detached object loses one reference (vm_object_deallocate's generic path on an OBJT_DEAD object). */
    isDetachedReferenceDrop: ({ context, event }: Args) => {
      const d = detachedOf(context, event);
      return event.type === 'OBJ_REFS' && d !== undefined && d.refs > 0 && event.refs === d.refs - 1;
    },
    /** The last reference of an orphaned (deallocated, not terminated) object is gone: it may be terminated. */
    isOrphanTermination: ({ context, event }: Args) => {
      const d = detachedOf(context, event);
      return event.type === 'OBJ_DEAD' && d !== undefined && d.refs === 0 && !d.dead && !d.handle;
    },
    /** vm_object_destroy only of an object with no references that was terminated or discarded. */
    isDetachedDestroyable: ({ context, event }: Args) => {
      const d = detachedOf(context, event);
      return event.type === 'OBJ_DESTROY' && d !== undefined && d.refs === 0 && (d.dead || d.handle);
    },
    /** vnode_pager_dealloc of an object already detached by seed 184 (still terminating, handle still set). */
    isLateDeallocOfDetached: ({ context, event }: Args) => {
      const d = detachedOf(context, event);
      return event.type === 'OBJ_DEALLOC' && d !== undefined && d.dead && d.handle && d.refs === 0 && event.vp === context.vp && event.refs === 0;
    },
  },
  actions: {
    addPending: assign({
      pending: ({ context, event }: Args) => [...context.pending, objOf(event)].sort(),
    }),
    attachPending: assign(({ context, event }: Args) => ({
      obj: objOf(event),
      refs: 1,
      pending: context.pending.filter((o) => o !== objOf(event)),
    })),
    setRefs: assign({ refs: ({ event }: Args) => (event.type === 'OBJ_REFS' ? event.refs : 0) }),
    discardPending: assign(({ context, event }: Args) => ({
      pending: context.pending.filter((o) => o !== objOf(event)),
      detached: withDetached(context.detached, { name: objOf(event), refs: 0, dead: false, handle: true }),
    })),
    detachDeallocated: assign(({ context }: Args) => ({
      obj: null,
      refs: 0,
      detached: withDetached(context.detached, { name: context.obj ?? '?', refs: context.refs, dead: false, handle: false }),
    })),
    detachTerminatedDeallocated: assign(({ context }: Args) => ({
      obj: null,
      refs: 0,
      detached: withDetached(context.detached, { name: context.obj ?? '?', refs: 0, dead: true, handle: false }),
    })),
    detachStillTerminating: assign(({ context }: Args) => ({
      obj: null,
      refs: 0,
      detached: withDetached(context.detached, { name: context.obj ?? '?', refs: 0, dead: true, handle: true }),
    })),
    dropDetachedReference: assign(({ context, event }: Args) => {
      const d = detachedOf(context, event)!;
      return { detached: withDetached(context.detached, { ...d, refs: d.refs - 1 }) };
    }),
    markDetachedDead: assign(({ context, event }: Args) => {
      const d = detachedOf(context, event)!;
      return { detached: withDetached(context.detached, { ...d, dead: true }) };
    }),
    clearDetachedHandle: assign(({ context, event }: Args) => {
      const d = detachedOf(context, event)!;
      return { detached: withDetached(context.detached, { ...d, handle: false }) };
    }),
    forgetDestroyed: assign(({ context, event }: Args) => ({ detached: context.detached.filter((d) => d.name !== objOf(event)) })),
    /** Accepting the event changes nothing the machine records. */
    noteOnly: () => {},
  },
}).createMachine({
  id: 'objectLifecycle',
  description: 'The vm object of one vnode: vnode_create_vobject, vnode_destroy_vobject, vnode_pager_alloc, vnode_pager_dealloc (seed 110-308) with vm_object_terminate and vm_object_deallocate.',
  context: ({ input }) => ({ vp: input.vp, obj: null, refs: 0, pending: [], detached: [] }),
  initial: 'noObject',
  on: {
    OBJ_ALLOCATE: {
      guard: 'isFreshAllocation',
      actions: 'addPending',
      description:
        'vnode_pager_alloc found v_object NULL and allocated an OBJT_VNODE object with one reference (seed 234-243); it is not attached yet, so allocators may race.',
    },
    OBJ_REFS: {
      guard: 'isDetachedReferenceDrop',
      actions: 'dropDetachedReference',
      description: 'A reference on an object that is no longer the vnode\'s is dropped: vm_object_deallocate takes the generic path for OBJT_DEAD (callees: vm_object_deallocate).',
    },
    OBJ_DEAD: {
      guard: 'isOrphanTermination',
      actions: 'markDetachedDead',
      description: 'The last reference of an object orphaned by seed 187-193 is gone; vm_object_deallocate terminates it (sets OBJ_DEAD).',
    },
    OBJ_DESTROY: {
      guard: 'isDetachedDestroyable',
      actions: 'forgetDestroyed',
      description: 'vm_object_destroy returns a detached object to the zone: the end of vm_object_terminate, or seed 256 for the loser of the allocation race.',
    },
  },
  states: {
    noObject: {
      description: 'vp->v_object is NULL and the vnode never had an object deallocated: vnode_create_vobject (seed 110-155) or vnode_pager_alloc (seed 204-270) will allocate one.',
      on: {
        OBJ_ATTACH: {
          guard: 'isPendingObject',
          target: 'alive',
          actions: 'attachPending',
          description: 'vp->v_object = object under the vnode interlock (seed 244-260): the new object becomes the vnode\'s with the allocation\'s one reference.',
        },
        OBJ_DISCARD: {
          guard: 'isPendingObject',
          actions: 'discardPending',
          description:
            'The repaired allocator finds the vnode doomed under the interlock (alloc-refuses-doomed-vnode, impl/variants.ts; seed 244-245) and discards its object instead of attaching it to a reclaimed vnode; the seed discards only when an object is attached.',
        },
      },
    },
    alive: {
      description: 'vp->v_object is an OBJT_VNODE object without OBJ_DEAD: lookups take references to it (seed 223-267).',
      on: {
        OBJ_REFS: [
          {
            guard: 'isNewReference',
            actions: 'setRefs',
            description: 'vnode_pager_alloc finds the live object and takes a reference (seed 261-267), or vm_object_reference.',
          },
          {
            guard: 'isReferenceDrop',
            actions: 'setRefs',
            description: 'A reference is dropped: vnode_create_vobject gives back the allocation\'s reference (seed 147-149), or vm_object_deallocate (vm_object_vndeallocate, which never terminates).',
          },
        ],
        OBJ_DISCARD: {
          guard: 'isPendingObject',
          actions: 'discardPending',
          description:
            'Object has been created while we were sleeping (seed 245-257): the allocator that lost the race turns its object OBJT_DEAD with no references, destroys it and retries.',
        },
        OBJ_DEAD: {
          guard: 'hasNoReferences',
          target: 'dead',
          description: 'vnode_destroy_vobject with ref_count 0 and OBJ_DEAD clear calls vm_object_terminate, which sets OBJ_DEAD (seed 168-174).',
        },
        OBJ_DEALLOC: {
          guard: 'isDeallocWithReferences',
          target: 'deallocated',
          actions: 'detachDeallocated',
          description:
            'Woe to the process that tries to page now (seed 187-193): vnode_destroy_vobject with references calls vm_pager_deallocate; the object turns OBJT_DEAD with its references held and leaves the vnode.',
        },
        OBJ_SETSIZE: {
          guard: 'isAttachedObject',
          actions: 'noteOnly',
          description: 'vnode_pager_setsize changes vnp_size of the vnode\'s live object (seed 395-474).',
        },
      },
    },
    dead: {
      description: 'OBJ_DEAD is set on vp->v_object: vm_object_terminate is tearing it down; lookups must wait for it to go (seed 120-130, 223-230).',
      initial: 'terminating',
      on: {
        OBJ_DISCARD: {
          guard: 'isPendingObject',
          actions: 'discardPending',
          description: 'Object has been created while we were sleeping (seed 245-257), with the vnode\'s object dying: the loser destroys its object and retries (to wait "vadead").',
        },
        OBJ_SETSIZE: {
          guard: 'isAttachedObject',
          actions: 'noteOnly',
          description: 'vnode_pager_setsize on an object being terminated: still OBJT_VNODE until vnode_pager_dealloc (seed 405-472).',
        },
      },
      states: {
        terminating: {
          description: 'No thread waits for the object to go (OBJ_DISCONNECTWNT clear).',
          on: {
            OBJ_DISCONNECT_WAIT: [
              {
                guard: 'isVodeadWait',
                target: 'disconnectWait',
                description: 'vnode_create_vobject sees OBJ_DEAD, drops the vnode lock, sets OBJ_DISCONNECTWNT and sleeps "vodead" (seed 120-130).',
              },
              {
                guard: 'isVadeadWait',
                target: 'disconnectWait',
                description: 'vnode_pager_alloc sees OBJ_DEAD, sets OBJ_DISCONNECTWNT and sleeps "vadead" (seed 223-230).',
              },
            ],
            OBJ_DEALLOC: {
              guard: 'isDeallocOfTerminated',
              target: '#objectLifecycle.deallocated',
              actions: 'detachTerminatedDeallocated',
              description: 'vm_object_terminate calls vnode_pager_dealloc: handle NULL, OBJT_DEAD, v_object NULL (seed 281-307); the object is destroyed next.',
            },
            OBJ_DETACH: {
              guard: 'isAttachedObject',
              target: '#objectLifecycle.deallocated',
              actions: 'detachStillTerminating',
              description: 'Don\'t double-terminate (seed 168-186): vnode_destroy_vobject finds OBJ_DEAD with no references and only clears v_object; the terminating thread finishes.',
            },
          },
        },
        disconnectWait: {
          description: 'OBJ_DISCONNECTWNT is set: threads sleep on the object until vnode_pager_dealloc wakes them (seed 127-128, 228-229, 291-294).',
          on: {
            OBJ_DISCONNECT_WAIT: [
              {
                guard: 'isVodeadWait',
                actions: 'noteOnly',
                description: 'Another thread sleeps "vodead" (seed 126-128).',
              },
              {
                guard: 'isVadeadWait',
                actions: 'noteOnly',
                description: 'Another thread sleeps "vadead" (seed 228-229).',
              },
            ],
            OBJ_DISCONNECT_WAKE: {
              guard: 'isAttachedObject',
              target: 'terminating',
              description: 'vnode_pager_dealloc clears OBJ_DISCONNECTWNT and wakes the sleepers (seed 291-294); a dealloc that skipped this would strand them.',
            },
          },
        },
      },
    },
    deallocated: {
      description:
        'The vnode\'s object was deallocated (vnode_pager_dealloc, seed 281-307, or detached at seed 184): v_object is NULL and a retrying allocator may attach a new object (seed 223-270).',
      on: {
        OBJ_ATTACH: {
          guard: 'isPendingObject',
          target: 'alive',
          actions: 'attachPending',
          description: 'An allocator (typically one woken from "vadead"/"vodead") attaches a new object to the vnode (seed 244-260).',
        },
        OBJ_DISCARD: {
          guard: 'isPendingObject',
          actions: 'discardPending',
          description:
            'Object has been created while we were sleeping (seed 245-257), seen while the old object was still attached: the loser turns its object OBJT_DEAD at seed 253, after the vnode interlock check at 245, and the old object may have been deallocated in between.',
        },
        OBJ_DEALLOC: {
          guard: 'isLateDeallocOfDetached',
          actions: 'clearDetachedHandle',
          description: 'vnode_pager_dealloc of the object detached at seed 184: the terminating thread finishes (seed 281-307), v_object is already NULL.',
        },
      },
    },
  },
});

export type ObjectLifecycleMachine = typeof objectLifecycleMachine;
