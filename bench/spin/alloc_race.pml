/*
 * The allocation race of issue 15 in Promela, for SPIN: N threads run
 * vnode_create_vobject (seed lines 110-155) on one vnode without a vm
 * object, each holding the vnode lock shared, and so race in
 * vnode_pager_alloc (seed lines 204-270). One statement of the C is one
 * transition, as in the port; locks are the kernel's (a mutex for
 * VI_LOCK, a write lock per object, the vnode lock as a count of shared
 * holders). No object is ever OBJ_DEAD here, so the vodead/vadead sleeps are
 * not reached and are left out. Property: a vnode has at most one live
 * attached object (one-live-object-per-vnode), and the checks of the C
 * (KASSERTs at seed 227, 251, 153).
 *
 *   spin -a -DN=3 alloc_race.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan
 *   -DNORECHECK: the bug, vnode_pager_alloc attaches without re-checking
 *   vp->v_object under VI_LOCK (variant mut-alloc-no-interlock-recheck).
 */
#ifndef N
#define N 3
#endif

#define NOBJ (N + 1)

byte v_object = 0;          /* vp->v_object: 0 NULL, else an object id 1..N */
byte v_interlock = 0;       /* VI_LOCK owner + 1, 0 free */
byte vn_shared = 0;         /* holders of the vnode lock (all LK_SHARED) */
byte v_usecount = 1;        /* the opener's reference */
byte v_holdcnt = 1;
byte nobjects = 0;          /* objects allocated so far: ids 1..nobjects */
byte obj_lock[NOBJ];        /* VM_OBJECT_WLOCK owner + 1 */
byte ref_count[NOBJ];
bool obj_dead[NOBJ];        /* OBJT_DEAD, destroyed */
bool attached[NOBJ];        /* was vp->v_object at some time */
byte live_attached = 0;     /* attached and not dead */

inline mtx_lock(l, me) { atomic { l == 0 -> l = me } }
inline mtx_unlock(l) { l = 0 }

proctype creator(byte me) {
  byte object;
  /* vn_lock(vp, LK_SHARED | LK_RETRY): no exclusive holder here */
  vn_shared++;
  /* 120: while ((object = vp->v_object) != NULL) */
  object = v_object;
  if
  :: object != 0 ->
       mtx_lock(obj_lock[object], me);   /* 121 */
       /* 122: not OBJ_DEAD */
       mtx_unlock(obj_lock[object]);     /* 123 */
       goto out                          /* 124 */
  :: else -> skip
  fi;
  /* 132-140: size from VOP_GETATTR (one read of the attributes) */
  skip;
retry:
  /* vnode_pager_alloc, 223: while ((object = vp->v_object) != NULL) */
  object = v_object;
  if
  :: object != 0 ->
       mtx_lock(obj_lock[object], me);   /* 224: not OBJ_DEAD: break */
       assert(v_usecount != 0);          /* 227 */
       ref_count[object]++;              /* 258 */
       mtx_unlock(obj_lock[object])      /* 262 */
  :: else ->
       /* 234: vm_object_allocate, one reference */
       atomic { nobjects++; object = nobjects; ref_count[object] = 1 };
       mtx_lock(v_interlock, me);        /* 240 */
#ifndef NORECHECK
       if
       :: v_object != 0 ->               /* 241: created while we slept */
            mtx_unlock(v_interlock);     /* 245 */
            mtx_lock(obj_lock[object], me);   /* 246 */
            assert(ref_count[object] == 1);   /* 247 */
            obj_dead[object] = 1;        /* 249: OBJT_DEAD */
            ref_count[object] = 0;       /* 250 */
            mtx_unlock(obj_lock[object]);     /* 251 */
            /* 252: vm_object_destroy */
            goto retry
       :: else -> skip
       fi;
#endif
       v_object = object;                /* 255 */
       attached[object] = 1;
       live_attached++;
       assert(live_attached <= 1);       /* one live object per vnode */
       mtx_unlock(v_interlock)           /* 256 */
  fi;
  /* 265: vrefact */
  atomic { v_usecount++; v_holdcnt++ };
  /* back in vnode_create_vobject, 147-150 */
  mtx_lock(obj_lock[object], me);
  ref_count[object]--;
  mtx_unlock(obj_lock[object]);
  v_usecount--;                          /* vrele: never the last reference here */
  assert(v_object != 0);                 /* 152 */
out:
  vn_shared--                            /* VOP_UNLOCK */
}

init {
  byte i;
  atomic {
    for (i : 1 .. N) { run creator(i) }
  }
}
