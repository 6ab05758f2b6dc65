/*
 * Shims that a later revision of vnode_pager.c needs beyond the seed's
 * (cwasm/README.md, "Another revision"): searched before cwasm/include by
 * `node cwasm/build.mjs --input FILE --out DIR --include cwasm/include-later`.
 * Only what the 2019 revision measured there asked for; the seed's build
 * never sees this directory.
 */
#ifndef PC_LATER_H
#define PC_LATER_H
#include <pc_kernel.h>

/* Boot-time registration has no run time in the model: swallowed as declarations. */
#define SYSCTL_PROC(...) _Static_assert(1, "sysctl")
#define SYSCTL_INT(...) _Static_assert(1, "sysctl")
#define SYSINIT(...) _Static_assert(1, "sysinit")
#define TUNABLE_INT_FETCH(name, p) ((void)0)
struct domainset;

/* <sys/types.h> of 2019 has bool (the seed has boolean_t only). */
typedef _Bool bool;
#define true 1
#define false 0
#define NBBY 8

/*
 * The pbuf zone of 2019 (uma_zalloc / uma_zfree of vnode_pbuf_zone) is the
 * seed's pool under another name: both take the kernel's pbuf counter, which
 * the runtime knows by the address of the C's vnode_pbuf_freecnt. The zone is
 * created in vnode_pager_init, a SYSINIT, which never runs here.
 */
typedef struct uma_zone *uma_zone_t;
#define M_WAITOK 0x0002
int vnode_pbuf_freecnt;
/* The runtime reads the seed's async counter too; 2019 takes async pbufs from the same zone. */
int vnode_async_pbuf_freecnt;
#define uma_zalloc(zone, flags) getpbuf(&vnode_pbuf_freecnt)
#define uma_zfree(zone, bp) relpbuf((bp), &vnode_pbuf_freecnt)
#define pbuf_zsecond_create(name, n) ((uma_zone_t)0)
#define nswbuf 0

/* vmmeter.h of 2019: the seed's own test of 1168, behind a function. */
#define vm_page_count_min() (vm_cnt.v_free_count < vm_cnt.v_pageout_free_min)

#define MPASS(ex) KASSERT((ex), ("Assertion %s failed at %s:%d", #ex, __FILE__, __LINE__))
/* vn_printf prints the vnode, then the message: the message alone here. */
#define vn_printf(vp, ...) printf(__VA_ARGS__)

/*
 * generic_putpages of 2019 holds the object lock shared while it writes,
 * upgrading it to trim the run at EOF. The kernel model's object lock has
 * no shared mode for the C yet: shared is taken exclusive, the upgrade always
 * succeeds and the downgrade keeps it exclusive. Stronger than the kernel's
 * lock (two shared holders exclude each other here), so a schedule where
 * 2019's readers overlap is not explored.
 */
#define VM_OBJECT_RLOCK(o) VM_OBJECT_WLOCK(o)
#define VM_OBJECT_RUNLOCK(o) VM_OBJECT_WUNLOCK(o)
#define VM_OBJECT_TRYUPGRADE(o) 1
#define VM_OBJECT_LOCK_DOWNGRADE(o) ((void)0)

/* 2019 adds the EOF and run length arguments (the seed's prototype, in pc_kernel.h, has three). */
#define vnode_pager_undirty_pages vnode_pager_undirty_pages_eof

#endif
