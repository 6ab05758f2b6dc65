/*
 * Lifecycle events the kernel and the port emit, for the spec machines
 * (spec/) to follow in lock-step. Emitting never changes control flow.
 * Names are the kernel's objects as the world names them ("vp1", "obj2").
 * Each event is emitted inside the step that makes the change it reports.
 */
export type KEvent =
  /** vm_object_allocate(OBJT_VNODE) in vnode_pager_alloc (seed 238); not yet attached. */
  | { type: 'OBJ_ALLOCATE'; obj: string; vp: string; size: number }
  /** vp->v_object = object (seed 259): the object is the vnode's. */
  | { type: 'OBJ_ATTACH'; obj: string; vp: string }
  /** Lost the allocation race (seed 245-257): object turned OBJT_DEAD and destroyed unattached. */
  | { type: 'OBJ_DISCARD'; obj: string; vp: string }
  /** ref_count changed (seed 148, 262; vm_object_deallocate); refs is the new count. */
  | { type: 'OBJ_REFS'; obj: string; refs: number }
  /** OBJ_DEAD set (vm_object_terminate). */
  | { type: 'OBJ_DEAD'; obj: string }
  /** A thread set OBJ_DISCONNECTWNT and is going to sleep (seed 127-128 "vodead", 228-229 "vadead"). */
  | { type: 'OBJ_DISCONNECT_WAIT'; obj: string; wmesg: string }
  /** vnode_pager_dealloc woke the disconnect waiters (seed 291-294). */
  | { type: 'OBJ_DISCONNECT_WAKE'; obj: string }
  /** vnode_pager_dealloc: handle NULL, OBJT_DEAD, v_object NULL (seed 289-302). */
  | { type: 'OBJ_DEALLOC'; obj: string; vp: string; refs: number }
  /**
   * vnode_destroy_vobject found the object OBJ_DEAD with no references and only
   * cleared v_object, leaving termination to the thread doing it (seed 184).
   */
  | { type: 'OBJ_DETACH'; obj: string; vp: string }
  /** vm_object_destroy: the object's memory returns to the zone. */
  | { type: 'OBJ_DESTROY'; obj: string }
  /** vnode_pager_setsize changed vnp_size (seed 471-472). */
  | { type: 'OBJ_SETSIZE'; obj: string; vnp_size: number; size: number }
  /** A page became resident (vm_page_alloc). */
  | { type: 'PAGE_INSERT'; obj: string; pindex: number }
  /** A page left the object (vm_page_free, termination). */
  | { type: 'PAGE_REMOVE'; obj: string; pindex: number }
  /** A page's valid or dirty mask or busy state changed; the new values. */
  | { type: 'PAGE_BITS'; obj: string; pindex: number; valid: number; dirty: number; xbusy: boolean; sbusy: number }
  /** writemappings changed (seed 297, 1358, 1399). */
  | { type: 'WRITEMAPPINGS'; obj: string; writemappings: number }
  /** v_writecount changed (VOP_ADD_WRITECOUNT). */
  | { type: 'WRITECOUNT'; vp: string; v_writecount: number }
  /** An asynchronous getpages request was issued (its completion is owed). */
  | { type: 'ASYNC_ISSUE'; req: number; obj: string }
  /** The iodone of an asynchronous getpages ran (seed 776, 1065). */
  | { type: 'ASYNC_DONE'; req: number; error: number }
  /** VI_DOOMED set on the vnode (vgone). */
  | { type: 'VNODE_DOOMED'; vp: string };

export type KEventType = KEvent['type'];

export interface Observer {
  emit(e: KEvent): void;
}

/** Keeps every event, in order: the event log the determinism test compares. */
export class EventLog implements Observer {
  readonly events: KEvent[] = [];
  emit(e: KEvent): void {
    this.events.push(e);
  }
}

export const nullObserver: Observer = { emit() {} };
