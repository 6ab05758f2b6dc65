/*
 * One asynchronous getpages request: vnode_pager_getpages_async (seed
 * 697-711) through vnode_pager_generic_getpages with an iodone (seed
 * 738-1056) to vnode_pager_generic_getpages_done_async (seed 1058-1072).
 * The request's iodone runs exactly once: synchronously when the last page
 * is already valid (seed 774-777), or from the I/O completion (seed 1065).
 * A second completion has no transition and is rejected.
 */
import { assign, setup } from 'xstate';
import type { KEvent } from '../impl/kernel/observe.ts';

export interface AsyncGetpagesContext {
  readonly req: number;
  readonly obj: string | null;
  /** error passed to the iodone, once it ran. */
  readonly error: number | null;
}

export type AsyncGetpagesEvent = Extract<KEvent, { type: 'ASYNC_ISSUE' | 'ASYNC_DONE' }>;
export const ASYNC_GETPAGES_EVENTS = ['ASYNC_ISSUE', 'ASYNC_DONE'] as const satisfies readonly AsyncGetpagesEvent['type'][];

type Args = { context: AsyncGetpagesContext; event: AsyncGetpagesEvent };

export const asyncGetpagesMachine = setup({
  types: {
    context: {} as AsyncGetpagesContext,
    events: {} as AsyncGetpagesEvent,
    input: {} as { req: number },
  },
  guards: {
    isThisRequest: ({ context, event }: Args) => event.req === context.req,
    completedWithoutError: ({ context, event }: Args) => event.type === 'ASYNC_DONE' && event.req === context.req && event.error === 0,
    completedWithError: ({ context, event }: Args) => event.type === 'ASYNC_DONE' && event.req === context.req && event.error !== 0,
  },
  actions: {
    recordIssue: assign({ obj: ({ context, event }: Args) => (event.type === 'ASYNC_ISSUE' ? event.obj : context.obj) }),
    recordCompletion: assign({ error: ({ context, event }: Args) => (event.type === 'ASYNC_DONE' ? event.error : context.error) }),
  },
}).createMachine({
  id: 'asyncGetpages',
  description: 'One asynchronous getpages request completes exactly once (seed 697-711, 738-1072).',
  context: ({ input }) => ({ req: input.req, obj: null, error: null }),
  initial: 'notIssued',
  states: {
    notIssued: {
      description: 'The request is not issued yet (vnode_pager_getpages_async not called).',
      on: {
        ASYNC_ISSUE: {
          guard: 'isThisRequest',
          target: 'issued',
          actions: 'recordIssue',
          description: 'vm_pager_get_pages_async -> vnode_pager_getpages_async -> VOP_GETPAGES_ASYNC with an iodone (seed 697-711); its completion is owed.',
        },
      },
    },
    issued: {
      description: 'Issued; the iodone has not run. Either the pages are valid already or a B_ASYNC read is in flight (seed 1036-1043).',
      on: {
        ASYNC_DONE: [
          {
            guard: 'completedWithoutError',
            target: 'completed.ok',
            actions: 'recordCompletion',
            description: 'The iodone runs with error 0: at once when the last page was valid (seed 774-777), or from the read completion (seed 1058-1066).',
          },
          {
            guard: 'completedWithError',
            target: 'completed.failed',
            actions: 'recordCompletion',
            description: 'The iodone runs with the read\'s error (BIO_ERROR gives EIO, seed 1081, 1063-1066).',
          },
        ],
      },
    },
    completed: {
      description: 'The iodone ran; a second completion is a defect (it has no transition here).',
      initial: 'ok',
      states: {
        ok: { type: 'final', description: 'The iodone ran with error 0 (seed 776 or 1065).' },
        failed: { type: 'final', description: 'The iodone ran with an I/O error (seed 1081, 1065).' },
      },
    },
  },
});

export type AsyncGetpagesMachine = typeof asyncGetpagesMachine;
