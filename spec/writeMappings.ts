/*
 * Write mappings of one vnode object and its contribution to the vnode's
 * v_writecount (seed 1345-1422, and the reclaim side at 296-301).
 *
 * One instance per vnode object, from its allocation. The object contributes
 * exactly 1 to v_writecount while writemappings > 0 and 0 otherwise; the
 * VOP_ADD_WRITECOUNT that moves the contribution follows the writemappings
 * change in the same step, so the two "pending" states exist only inside a
 * step. Once the object is OBJT_DEAD (dealloc on reclaim, or the allocation
 * race's loser) its writemappings are no longer counted and may not change:
 * a release that raced with reclaim must find the type changed and do
 * nothing (seed 1388-1391, 1353-1356).
 *
 * WRITECOUNT events are per vnode; the monitor hands each to every live
 * object of the vnode. The one owing the change takes it (countPending,
 * releasePending); the others only record the new count. A change nobody
 * owed leaves v_writecount different from the number of write-mapped
 * objects of the vnode, which the monitor checks after every step.
 */
import { assign, setup } from 'xstate';
import type { KEvent } from '../impl/kernel/observe.ts';

export interface WriteMappingsContext {
  readonly obj: string;
  /** un_pager.vnp.writemappings, bytes. */
  readonly writemappings: number;
  /** The vnode's v_writecount as last reported to this object's machine. */
  readonly v_writecount: number;
}

export type WriteMappingsEvent = Extract<KEvent, { type: 'WRITEMAPPINGS' | 'WRITECOUNT' | 'OBJ_DEALLOC' | 'OBJ_DISCARD' | 'OBJ_DESTROY' }>;
export const WRITE_MAPPINGS_EVENTS = ['WRITEMAPPINGS', 'WRITECOUNT', 'OBJ_DEALLOC', 'OBJ_DISCARD', 'OBJ_DESTROY'] as const satisfies readonly WriteMappingsEvent['type'][];

type Ctx = WriteMappingsContext;
type Ev = WriteMappingsEvent;
type Args = { context: Ctx; event: Ev };

const wm = (e: Ev): number => (e.type === 'WRITEMAPPINGS' ? e.writemappings : NaN);

export const writeMappingsMachine = setup({
  types: {
    context: {} as WriteMappingsContext,
    events: {} as WriteMappingsEvent,
    input: {} as { obj: string; v_writecount?: number },
  },
  guards: {
    /** writemappings goes from 0 to a positive count (seed 1358-1360). */
    firstWriteMapping: ({ event }: Args) => event.type === 'WRITEMAPPINGS' && wm(event) > 0,
    /** writemappings changes and stays positive (seed 1358, 1397-1401). */
    writeMappingsStayPositive: ({ context, event }: Args) => event.type === 'WRITEMAPPINGS' && wm(event) > 0 && wm(event) !== context.writemappings,
    /** writemappings reaches 0 (seed 1365, 297). */
    lastWriteMappingGone: ({ event }: Args) => event.type === 'WRITEMAPPINGS' && wm(event) === 0,
    /** v_writecount went up by one. */
    writecountRaised: ({ context, event }: Args) => event.type === 'WRITECOUNT' && event.v_writecount === context.v_writecount + 1,
    /** v_writecount went down by one. */
    writecountDropped: ({ context, event }: Args) => event.type === 'WRITECOUNT' && event.v_writecount === context.v_writecount - 1,
    /** vm_object_destroy of a dead object. */
    isDestroy: ({ event }: Args) => event.type === 'OBJ_DESTROY',
  },
  actions: {
    recordWriteMappings: assign({ writemappings: ({ context, event }: Args) => (event.type === 'WRITEMAPPINGS' ? event.writemappings : context.writemappings) }),
    recordWritecount: assign({ v_writecount: ({ context, event }: Args) => (event.type === 'WRITECOUNT' ? event.v_writecount : context.v_writecount) }),
  },
}).createMachine({
  id: 'writeMappings',
  description: 'Write mappings of one vnode object and its share of v_writecount: vnode_pager_update_writecount, vnode_pager_release_writecount (seed 1345-1422), vnode_pager_dealloc (seed 296-301).',
  context: ({ input }) => ({ obj: input.obj, writemappings: 0, v_writecount: input.v_writecount ?? 0 }),
  initial: 'noWriteMappings',
  on: {
    WRITECOUNT: {
      actions: 'recordWritecount',
      description:
        'VOP_ADD_WRITECOUNT for another object of the vnode: v_writecount only recorded. The monitor checks after each step that v_writecount equals the count of the vnode\'s objects in writeMapped.',
    },
  },
  states: {
    noWriteMappings: {
      description: 'writemappings == 0: the object adds nothing to v_writecount (set at allocation, seed 241).',
      on: {
        WRITEMAPPINGS: {
          guard: 'firstWriteMapping',
          target: 'writeMapped.countPending',
          actions: 'recordWriteMappings',
          description: 'vnode_pager_update_writecount: the first writable mapping (seed 1357-1358).',
        },
        OBJ_DEALLOC: { target: 'dead', description: 'vnode_pager_dealloc with no write mappings: nothing to give back (seed 290, 296).' },
        OBJ_DISCARD: { target: 'dead', description: 'The allocation race\'s loser turns its object OBJT_DEAD before it was ever mapped (seed 253).' },
      },
    },
    writeMapped: {
      description: 'writemappings > 0.',
      initial: 'counted',
      states: {
        countPending: {
          description: 'writemappings became positive; VOP_ADD_WRITECOUNT(vp, 1) is owed in the same step (seed 1360-1364).',
          on: {
            WRITECOUNT: { guard: 'writecountRaised', target: 'counted', actions: 'recordWritecount', description: 'VOP_ADD_WRITECOUNT(vp, 1) (seed 1362).' },
          },
        },
        counted: {
          description: 'The object contributes 1 to v_writecount (VOP_ADD_WRITECOUNT at seed 1362 done).',
          on: {
            WRITEMAPPINGS: [
              {
                guard: 'writeMappingsStayPositive',
                actions: 'recordWriteMappings',
                description: 'More write-mapped bytes (seed 1358), or a partial unmap that leaves some (seed 1397-1401).',
              },
              {
                guard: 'lastWriteMappingGone',
                target: '#writeMappings.releasePending',
                actions: 'recordWriteMappings',
                description:
                  'The last write mapping goes: vnode_pager_release_writecount through update_writecount (seed 1404-1417, 1365), or vnode_pager_dealloc on reclaim forces it to 0 (seed 296-297).',
              },
            ],
          },
        },
      },
    },
    releasePending: {
      description: 'writemappings reached 0; VOP_ADD_WRITECOUNT(vp, -1) is owed in the same step (seed 1365-1369, 297-301).',
      on: {
        WRITECOUNT: {
          guard: 'writecountDropped',
          target: 'noWriteMappings',
          actions: 'recordWritecount',
          description: 'VOP_ADD_WRITECOUNT(vp, -1) (seed 1367 on release, 298 on reclaim).',
        },
      },
    },
    dead: {
      description:
        'OBJT_DEAD (seed 253, 290): writemappings are no longer counted. A release that raced with reclaim finds the type changed and does nothing (seed 1388-1391, 1353-1356).',
      on: {
        OBJ_DESTROY: { guard: 'isDestroy', target: 'destroyed', description: 'vm_object_destroy.' },
      },
    },
    destroyed: { type: 'final', description: 'vm_object_destroy returned the object to the zone.' },
  },
});

export type WriteMappingsMachine = typeof writeMappingsMachine;
