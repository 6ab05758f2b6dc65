/*
 * The validity of one resident page of a vnode object: which 512-byte blocks
 * are valid and dirty, and who holds it busy, as the seed's read, write and
 * truncation paths change them (vm_page.h semantics from callees.md).
 *
 * One instance per (object, pindex). The kernel reports each change of the
 * valid mask, dirty mask or busy state with a PAGE_BITS event carrying the
 * new values; classifyPageBits compares them with the previous values (the
 * context) and names the change. Rules, from the seed and its callees:
 *  - valid bits only grow, and grow under exclusive busy (the reader holds the
 *    page across the I/O), except the shrink path, which marks the zeroed tail
 *    of a partly valid page valid whatever its busy state (seed 435-452);
 *  - valid bits never shrink except all at once (the page is freed or, if
 *    wired, invalidated by vm_object_page_remove, which waits out an
 *    exclusive busy first);
 *  - dirty bits exist only on fully valid pages (vm_page_dirty asserts it;
 *    vm_page_set_valid_range asserts no newly valid block is dirty), and are
 *    set all at once (vm_page_dirty sets the whole mask);
 *  - dirty bits are cleared by pageout under shared busy, or as a tail by the
 *    shrink path (seed 459-468);
 *  - shared busy is taken only on fully valid pages (vm_pageout_flush);
 *    exclusive and shared busy never switch into each other directly.
 * Each PAGE_BITS event changes one of valid, dirty, busy (the kernel's
 * setters report one field at a time), except the free path's valid and
 * dirty both going to 0.
 */
import { setup, assign } from 'xstate';
import type { KEvent } from '../impl/kernel/observe.ts';

export const VM_PAGE_BITS_ALL = 0xff;

export interface PageValidityContext {
  readonly obj: string;
  readonly pindex: number;
  readonly valid: number;
  readonly dirty: number;
  readonly xbusy: boolean;
  /** Number of shared busy holders. */
  readonly sbusy: number;
}

export type PageValidityEvent = Extract<KEvent, { type: 'PAGE_INSERT' | 'PAGE_REMOVE' | 'PAGE_BITS' }>;
export type PageBitsEvent = Extract<KEvent, { type: 'PAGE_BITS' }>;
export const PAGE_VALIDITY_EVENTS = ['PAGE_INSERT', 'PAGE_REMOVE', 'PAGE_BITS'] as const satisfies readonly PageValidityEvent['type'][];

export type ContentsState = 'invalid' | 'partiallyValid' | 'fullyValid.clean' | 'fullyValid.partiallyDirty' | 'fullyValid.dirty';
export type BusyState = 'unbusied' | 'exclusiveBusy' | 'sharedBusy';

export type ContentsChange =
  | 'unchanged'
  /** valid := all, under exclusive busy: read filled the page, sparse zero fill, VOP_READ fallback, zero_invalid. */
  | 'fillWhole'
  /** valid grows but not to all, under exclusive busy: read stopped at EOF, or one small-fs block. */
  | 'fillPartial'
  /** valid gains a tail of blocks on a partly valid page not under exclusive busy: shrink (seed 452). */
  | 'tailZeroValid'
  /** every block becomes dirty on a fully valid page: vm_page_dirty (it sets the whole mask). */
  | 'dirtied'
  /** dirty cleared to 0 under shared busy: pageout wrote the page. */
  | 'pageoutCleans'
  /** some dirty bits cleared under shared busy: putpages past EOF (seed 1253) or a partial write (seed 1339). */
  | 'pageoutClipsDirty'
  /** a tail of dirty bits cleared outside pageout: shrink (seed 459-468). */
  | 'shrinkClearsDirtyTail'
  /** valid goes to 0, then dirty: vm_object_page_remove of a wired page (valid = 0, vm_page_undirty). */
  | 'invalidated';

export type BusyChange = 'unchanged' | 'xbusy' | 'xunbusy' | 'sbusy' | 'sbusyCount' | 'sunbusy';

export interface PageBitsClass {
  readonly contents: ContentsChange;
  readonly busy: BusyChange;
  readonly to: { readonly contents: ContentsState; readonly busy: BusyState };
}

export function contentsStateOf(valid: number, dirty: number): ContentsState | null {
  if (valid === 0) return dirty === 0 ? 'invalid' : null;
  if (valid !== VM_PAGE_BITS_ALL) return dirty === 0 ? 'partiallyValid' : null;
  if (dirty === 0) return 'fullyValid.clean';
  if (dirty === VM_PAGE_BITS_ALL) return 'fullyValid.dirty';
  return 'fullyValid.partiallyDirty';
}

export function busyStateOf(xbusy: boolean, sbusy: number): BusyState | null {
  if (xbusy) return sbusy === 0 ? 'exclusiveBusy' : null;
  return sbusy > 0 ? 'sharedBusy' : 'unbusied';
}

/** Bits lowest(set)..7: what vm_page_bits(base, PAGE_SIZE - base) gives for a tail starting in the block of the lowest bit. */
function tailMaskFrom(bits: number): number {
  const low = bits & -bits;
  return (VM_PAGE_BITS_ALL & ~(low - 1)) & VM_PAGE_BITS_ALL;
}

function classifyContents(c: PageValidityContext, valid: number, dirty: number): ContentsChange | null {
  const dv = valid !== c.valid;
  const dd = dirty !== c.dirty;
  if (!dv && !dd) return 'unchanged';
  /*
   * Invalidation sets valid to 0, then vm_page_undirty clears dirty
   * (vm_object_page_remove, wired page); it sleeps on an exclusive-busy page
   * first ("vmopax"), so never under exclusive busy.
   */
  if (valid === 0 && (c.valid !== 0 || dirty === 0)) return c.xbusy ? null : 'invalidated';
  if (dv && dd) return null;
  if (dv) {
    if ((valid & c.valid) !== c.valid) return null; // valid bits are never truncated (seed 464-466, 1232-1233)
    if (c.xbusy) return valid === VM_PAGE_BITS_ALL ? 'fillWhole' : 'fillPartial';
    /* The shrink path: only a page with some valid block (seed 437), and the new bits are the page's tail (seed 452). */
    const added = valid & ~c.valid;
    if (c.valid !== 0 && valid === (c.valid | tailMaskFrom(added))) return 'tailZeroValid';
    return null;
  }
  if ((dirty & c.dirty) === c.dirty) return c.valid === VM_PAGE_BITS_ALL && dirty === VM_PAGE_BITS_ALL ? 'dirtied' : null;
  if ((dirty & c.dirty) !== dirty) return null; // neither a growth nor a clear
  if (c.sbusy > 0) return dirty === 0 ? 'pageoutCleans' : 'pageoutClipsDirty';
  /* Seed 459-468: from roundup2(nsize & PAGE_MASK, DEV_BSIZE) to the end, so never block 0. */
  const tail = tailMaskFrom(c.dirty & ~dirty);
  if ((tail & 1) === 0 && dirty === (c.dirty & ~tail)) return 'shrinkClearsDirtyTail';
  return null;
}

function classifyBusy(c: PageValidityContext, xbusy: boolean, sbusy: number): BusyChange | null {
  if (xbusy === c.xbusy && sbusy === c.sbusy) return 'unchanged';
  const from = busyStateOf(c.xbusy, c.sbusy);
  const to = busyStateOf(xbusy, sbusy);
  if (from === null || to === null) return null;
  if (from === 'unbusied' && to === 'exclusiveBusy') return 'xbusy';
  if (from === 'exclusiveBusy' && to === 'unbusied') return 'xunbusy';
  if (from === 'unbusied' && to === 'sharedBusy') return c.valid === VM_PAGE_BITS_ALL ? 'sbusy' : null;
  if (from === 'sharedBusy' && to === 'sharedBusy') return 'sbusyCount';
  if (from === 'sharedBusy' && to === 'unbusied') return 'sunbusy';
  return null;
}

/**
 * Names the change a PAGE_BITS event makes to a resident page, or returns
 * null with the reason when the change breaks a rule of the header.
 */
export function classifyPageBits(c: PageValidityContext, e: Pick<PageBitsEvent, 'valid' | 'dirty' | 'xbusy' | 'sbusy'>): PageBitsClass | { readonly illegal: string } {
  /* (valid 0, dirty != 0) exists only inside the invalidation of a wired page, between its two stores. */
  const toContents = contentsStateOf(e.valid, e.dirty) ?? (e.valid === 0 ? 'invalid' : null);
  const toBusy = busyStateOf(e.xbusy, e.sbusy);
  if (toContents === null) return { illegal: `dirty bits 0x${e.dirty.toString(16)} on a page that is not fully valid (valid 0x${e.valid.toString(16)})` };
  if (toBusy === null) return { illegal: 'exclusive and shared busy at once' };
  const contents = classifyContents(c, e.valid, e.dirty);
  if (contents === null)
    return { illegal: `valid 0x${c.valid.toString(16)} -> 0x${e.valid.toString(16)}, dirty 0x${c.dirty.toString(16)} -> 0x${e.dirty.toString(16)} is not a change the pager or its callees make${c.xbusy ? '' : ' without exclusive busy'}` };
  const busy = classifyBusy(c, e.xbusy, e.sbusy);
  if (busy === null) return { illegal: `busy ${busyStateOf(c.xbusy, c.sbusy)} -> ${toBusy}${toBusy === 'sharedBusy' ? ' on a page that is not fully valid' : ''} is not a busy transition` };
  return { contents, busy, to: { contents: toContents, busy: toBusy } };
}

type Ctx = PageValidityContext;
type Ev = PageValidityEvent;
type Args = { context: Ctx; event: Ev };

function cls(context: Ctx, event: Ev): PageBitsClass | null {
  if (event.type !== 'PAGE_BITS') return null;
  const r = classifyPageBits(context, event);
  return 'illegal' in r ? null : r;
}
const contentsIs = (kind: ContentsChange, to?: ContentsState) => ({ context, event }: Args) => {
  const r = cls(context, event);
  return r !== null && r.contents === kind && (to === undefined || r.to.contents === to);
};
const busyIs = (kind: BusyChange) => ({ context, event }: Args) => {
  const r = cls(context, event);
  return r !== null && r.busy === kind;
};

export const pageValidityMachine = setup({
  types: {
    context: {} as PageValidityContext,
    events: {} as PageValidityEvent,
    input: {} as { obj: string; pindex: number },
  },
  guards: {
    fillsWholePage: contentsIs('fillWhole'),
    fillsPartially: contentsIs('fillPartial'),
    tailZeroCompletesPage: contentsIs('tailZeroValid', 'fullyValid.clean'),
    tailZeroLeavesPartial: contentsIs('tailZeroValid', 'partiallyValid'),
    dirtied: contentsIs('dirtied'),
    cleanedByPageout: contentsIs('pageoutCleans'),
    pageoutClipsDirty: contentsIs('pageoutClipsDirty'),
    shrinkCleansDirtyTail: contentsIs('shrinkClearsDirtyTail', 'fullyValid.clean'),
    shrinkClipsDirtyTail: contentsIs('shrinkClearsDirtyTail', 'fullyValid.partiallyDirty'),
    invalidated: contentsIs('invalidated'),
    contentsUnchanged: contentsIs('unchanged'),
    exclusiveBusied: busyIs('xbusy'),
    exclusiveUnbusied: busyIs('xunbusy'),
    sharedBusied: busyIs('sbusy'),
    sharedBusyCountChanged: busyIs('sbusyCount'),
    sharedUnbusied: busyIs('sunbusy'),
    busyUnchanged: busyIs('unchanged'),
    /** vm_page_free panics on a shared-busy page; exclusive busy is released by vm_page_remove. */
    notSharedBusy: ({ context }: Args) => context.sbusy === 0,
  },
  actions: {
    recordBits: assign(({ context, event }: Args) =>
      event.type === 'PAGE_BITS' ? { valid: event.valid, dirty: event.dirty, xbusy: event.xbusy, sbusy: event.sbusy } : context,
    ),
    newPage: assign({ valid: 0, dirty: 0, xbusy: true, sbusy: 0 }),
    gonePage: assign({ valid: 0, dirty: 0, xbusy: false, sbusy: 0 }),
  },
}).createMachine({
  id: 'pageValidity',
  description: 'One page of a vnode object: valid and dirty blocks and busy state through getpages (seed 738-1138), putpages (seed 1148-1343) and setsize (seed 395-474).',
  context: ({ input }) => ({ obj: input.obj, pindex: input.pindex, valid: 0, dirty: 0, xbusy: false, sbusy: 0 }),
  initial: 'notResident',
  states: {
    notResident: {
      description: 'No page at this index in the object: never allocated (vm_page_alloc), or freed (vm_page_free).',
      on: {
        PAGE_INSERT: {
          target: 'resident',
          actions: 'newPage',
          description: 'vm_page_alloc inserts an invalid, exclusive-busy page: read-behind (seed 917), read-ahead (seed 954), or the faulting caller before getpages.',
        },
      },
    },
    resident: {
      description: 'The page is in the object (vm_page_lookup finds it).',
      type: 'parallel',
      on: {
        PAGE_REMOVE: {
          guard: 'notSharedBusy',
          target: 'notResident',
          actions: 'gonePage',
          description:
            'The page leaves the object: truncation past EOF (vm_object_page_remove from seed 424-426), vm_object_terminate, or a getpages caller freeing a page it could not fill.',
        },
      },
      states: {
        contents: {
          description: 'Which 512-byte blocks are valid and dirty: the valid and dirty masks, one bit per DEV_BSIZE block (vm_page_bits).',
          initial: 'invalid',
          states: {
            invalid: {
              description: 'No valid block (valid == 0).',
              on: {
                PAGE_BITS: [
                  {
                    guard: 'fillsWholePage',
                    target: 'fullyValid',
                    actions: 'recordBits',
                    description:
                      'Read completion fills the whole page (seed 1106-1114), sparse zero fill of a hole (seed 835-846), or the VOP_READ fallback (seed 663-665), under exclusive busy.',
                  },
                  {
                    guard: 'fillsPartially',
                    target: 'partiallyValid',
                    actions: 'recordBits',
                    description:
                      'Read completion partial at EOF: only blocks before vnp_size become valid (seed 1115-1128); or one small-filesystem block arrives (seed 594-596).',
                  },
                  {
                    guard: 'invalidated',
                    actions: 'recordBits',
                    description: 'vm_page_undirty completes the invalidation of a wired page after valid = 0 (vm_object_page_remove); dirty bits of an invalid page exist only between the two stores.',
                  },
                  { guard: 'contentsUnchanged', actions: 'recordBits', description: 'valid and dirty unchanged: a busy change (vm_page_xbusy, vm_page_sbusy, ...) or a setter writing the same value.' },
                ],
              },
            },
            partiallyValid: {
              description: 'Some blocks valid, the rest not (0 < valid < VM_PAGE_BITS_ALL); never dirty. Only the EOF page is left so (seed 770-772).',
              on: {
                PAGE_BITS: [
                  {
                    guard: 'fillsWholePage',
                    target: 'fullyValid',
                    actions: 'recordBits',
                    description: 'vm_pager_get_pages zero-fills the invalid tail after a partial read (vm_page_zero_invalid), or the last small block arrives (seed 594-596).',
                  },
                  { guard: 'fillsPartially', actions: 'recordBits', description: 'Another small-filesystem block becomes valid (seed 594-596).' },
                  {
                    guard: 'tailZeroCompletesPage',
                    target: 'fullyValid',
                    actions: 'recordBits',
                    description: 'Partial tail zeroing on shrink: the zeroed tail past the new EOF is marked valid and completes the page (seed 435-452).',
                  },
                  {
                    guard: 'tailZeroLeavesPartial',
                    actions: 'recordBits',
                    description: 'Partial tail zeroing on shrink marks the tail valid; a block before it stays invalid (seed 435-452).',
                  },
                  {
                    guard: 'invalidated',
                    target: 'invalid',
                    actions: 'recordBits',
                    description: 'All blocks invalid: vm_object_page_remove of a wired page (truncation at seed 424-426 or termination) keeps the page and clears valid.',
                  },
                  { guard: 'contentsUnchanged', actions: 'recordBits', description: 'valid and dirty unchanged: a busy change, or a setter writing the same value (vm_page_set_valid_range on valid blocks).' },
                ],
              },
            },
            fullyValid: {
              description: 'Every block valid (valid == VM_PAGE_BITS_ALL).',
              initial: 'clean',
              on: {
                PAGE_BITS: [
                  {
                    guard: 'dirtied',
                    target: '.dirty',
                    actions: 'recordBits',
                    description: 'A store through a writable mapping: vm_page_dirty sets every dirty bit (it asserts the page is fully valid).',
                  },
                  {
                    guard: 'cleanedByPageout',
                    target: '.clean',
                    actions: 'recordBits',
                    description:
                      'Cleaned by pageout under shared busy: the buffer write clears the dirty bits (vfs_busy_pages, vm_page_set_validclean) or vnode_pager_undirty_pages (seed 1322-1343).',
                  },
                  {
                    guard: 'pageoutClipsDirty',
                    target: '.partiallyDirty',
                    actions: 'recordBits',
                    description: 'Putpages clears dirty bits past EOF on the partial last page (seed 1242-1255) or a partial write leaves some dirty (seed 1337-1340).',
                  },
                  {
                    guard: 'shrinkCleansDirtyTail',
                    target: '.clean',
                    actions: 'recordBits',
                    description: 'Shrink clears the dirty bits of the zeroed tail and no dirty block remains (seed 459-468).',
                  },
                  {
                    guard: 'shrinkClipsDirtyTail',
                    target: '.partiallyDirty',
                    actions: 'recordBits',
                    description: 'Shrink clears the dirty bits of the zeroed tail; dirty blocks before the new EOF stay (seed 459-468).',
                  },
                  {
                    guard: 'invalidated',
                    target: 'invalid',
                    actions: 'recordBits',
                    description: 'valid cleared on a wired page that vm_object_page_remove keeps (truncation at seed 424-426); vm_page_undirty follows in the same step.',
                  },
                  { guard: 'contentsUnchanged', actions: 'recordBits', description: 'valid and dirty unchanged: a busy change, or the shrink re-marking valid blocks valid (seed 452).' },
                ],
              },
              states: {
                clean: { description: 'No dirty block (dirty == 0): as read (seed 1110-1112) or after pageout.' },
                partiallyDirty: { description: 'Some blocks dirty (0 < dirty < VM_PAGE_BITS_ALL): after a shrink (seed 468) or putpages past EOF or a partial write (seed 1253, 1339).' },
                dirty: { description: 'Every block dirty (dirty == VM_PAGE_BITS_ALL): vm_page_dirty after a store through a writable mapping.' },
              },
            },
          },
        },
        busy: {
          description: 'The busy lock (busy_lock): exclusive around page-in I/O (vm_page_xbusy), shared around pageout (vm_page_sbusy).',
          initial: 'exclusiveBusy',
          states: {
            unbusied: {
              description: 'Nobody holds the page busy (busy_lock == VPB_UNBUSIED): vm_page_lookup callers such as vnode_pager_setsize (seed 436) may still change its bits.',
              on: {
                PAGE_BITS: [
                  {
                    guard: 'exclusiveBusied',
                    target: 'exclusiveBusy',
                    actions: 'recordBits',
                    description: 'vm_page_xbusy: the faulting thread busies the page it hands to getpages (vm_pager_assert_in).',
                  },
                  {
                    guard: 'sharedBusied',
                    target: 'sharedBusy',
                    actions: 'recordBits',
                    description: 'vm_pageout_flush shares busy on a fully valid page before putpages (seed 1148-1180).',
                  },
                  { guard: 'busyUnchanged', actions: 'recordBits', description: 'busy_lock unchanged: valid or dirty changed (vm_page_dirty, vnode_pager_setsize seed 452-468).' },
                ],
              },
            },
            exclusiveBusy: {
              description: 'Busy around I/O: exclusive busy, held from vm_page_alloc or vm_page_xbusy until the read is done.',
              on: {
                PAGE_BITS: [
                  {
                    guard: 'exclusiveUnbusied',
                    target: 'unbusied',
                    actions: 'recordBits',
                    description:
                      'Read-ahead/read-behind finish: vm_page_readahead_finish releases a page read around the request (seed 1130-1131); the getpages caller releases the requested pages.',
                  },
                  { guard: 'busyUnchanged', actions: 'recordBits', description: 'busy_lock unchanged: the read fills the page (seed 594-596, 844, 1110, 1123).' },
                ],
              },
            },
            sharedBusy: {
              description: 'Busy around pageout: shared busy while putpages writes the page (seed 1148-1296).',
              on: {
                PAGE_BITS: [
                  { guard: 'sharedUnbusied', target: 'unbusied', actions: 'recordBits', description: 'vm_page_sunbusy after putpages returns.' },
                  { guard: 'sharedBusyCountChanged', actions: 'recordBits', description: 'Another shared holder comes or goes (vm_page_sbusy, vm_page_sunbusy).' },
                  { guard: 'busyUnchanged', actions: 'recordBits', description: 'busy_lock unchanged: putpages clears dirty bits (seed 1253, 1335-1339; vm_page_set_validclean).' },
                ],
              },
            },
          },
        },
      },
    },
  },
});

export type PageValidityMachine = typeof pageValidityMachine;
