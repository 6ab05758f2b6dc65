/*
 * pagercheck's kernel for the seed compiled to WebAssembly: the declarations
 * vnode_pager.c needs from FreeBSD's headers, written for the simulated
 * kernel (impl/kernel/). Every header the .c includes resolves here.
 *
 * Kernel objects are handles: a pointer to a struct vnode, vm_object,
 * vm_page, mount, buf, bufobj, thread or ucred is an address at or above
 * PC_HANDLE_BASE that linear memory does not back. Every load and store the
 * module makes is instrumented (wasm-opt --instrument-memory); one in the
 * handle range reads or writes the TypeScript object's field, found by the
 * layouts below (cwasm/layout.c exports their offsets). Every callee is an
 * import named pc_<callee> (cwasm/imports.ts), given the seed line of its call
 * through __LINE__ by the macros below.
 */
#ifndef PC_KERNEL_H
#define PC_KERNEL_H

#define PC_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))

/* ---- types (sys/types.h, vm/vm.h; wasm32 is ILP32, as i386) ---- */
typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef int64_t intmax_t;
typedef uint64_t uintmax_t;
typedef unsigned long size_t;
typedef long ssize_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef char *caddr_t;
typedef int boolean_t;
typedef int64_t off_t;
typedef int64_t daddr_t;
typedef int64_t vm_ooffset_t;
typedef uint64_t vm_pindex_t;
typedef uintptr_t vm_offset_t;
typedef u_char vm_prot_t;
typedef uint8_t vm_page_bits_t;
typedef u_char objtype_t;
typedef int64_t time_t;
#define NULL ((void *)0)
#define FALSE 0
#define TRUE 1
#define INT_MAX 0x7fffffff
#define __FBSDID(s) struct __hack
#define __func__ __func__
#define nitems(x) (sizeof((x)) / sizeof((x)[0]))
#define min(a, b) pc_imin((a), (b))
static inline int pc_imin(int a, int b) { return a < b ? a : b; }
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
#define roundup2(x, y) (((x) + ((y) - 1)) & (~((y) - 1)))

/* The checker builds the kernel with INVARIANTS (KASSERTs are checked). */
#define INVARIANTS 1
/* amd64: superpage reservations (the port calls vm_object_color, seed 263-265). */
#define VM_NRESERVLEVEL 1

/* ---- sys/param.h ---- */
#define PAGE_SHIFT 12
#define PAGE_SIZE 4096
#define PAGE_MASK (PAGE_SIZE - 1)
#define DEV_BSHIFT 9
#define DEV_BSIZE 512
#define MAXPHYS (128 * 1024)
#define btoc(x) (((vm_offset_t)(x) + PAGE_MASK) >> PAGE_SHIFT)
#define dbtob(db) ((off_t)(db) << DEV_BSHIFT)
#define trunc_page(x) ((x) & ~PAGE_MASK)
#define round_page(x) (((x) + PAGE_MASK) & ~PAGE_MASK)
#define IDX_TO_OFF(idx) (((vm_ooffset_t)(idx)) << PAGE_SHIFT)
#define OFF_TO_IDX(off) ((vm_pindex_t)(((vm_ooffset_t)(off)) >> PAGE_SHIFT))
#define PVM 4
#define PDROP 0x200
#define EIO 5
#define EINVAL 22
#define EOPNOTSUPP 45

/* ---- the structures, with the fields the seed touches ---- */
struct ucred;
struct thread { struct ucred *td_ucred; };
struct timeval { time_t tv_sec; long tv_usec; };

struct vm_page;
typedef struct vm_page *vm_page_t;
struct pglist { vm_page_t tqh_first; vm_page_t *tqh_last; };
struct vm_object;
typedef struct vm_object *vm_object_t;

struct vm_page {
	struct { vm_page_t tqe_next; vm_page_t *tqe_prev; } listq;
	vm_object_t object;
	vm_pindex_t pindex;
	vm_page_bits_t valid;
	vm_page_bits_t dirty;
};

struct vm_object {
	int flags;
	objtype_t type;
	vm_pindex_t size;
	int ref_count;
	void *handle;
	union {
		struct {
			off_t vnp_size;
			vm_ooffset_t writemappings;
		} vnp;
	} un_pager;
};
#define OBJ_DEAD 0x0008
#define OBJ_DISCONNECTWNT 0x4000
#define OBJT_DEFAULT 0
#define OBJT_SWAP 1
#define OBJT_VNODE 2
#define OBJT_DEAD 5

struct statfs { uint64_t f_iosize; };
struct mount {
	struct statfs mnt_stat;
	int mnt_kern_flag;
};
#define MNTK_UNMAPPED_BUFS 0x00002000

struct bufobj { int bo_bsize; };

enum vtype { VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO, VBAD, VMARKER };
struct vnode {
	enum vtype v_type;
	struct mount *v_mount;
	struct vm_object *v_object;
	int v_usecount;
	int v_writecount;
	u_int v_iflag;
	struct bufobj v_bufobj;
};
#define VI_DOOMED 0x0080

/* struct vattr is the caller's (a local of vnode_create_vobject): linear memory. */
struct vattr { uint64_t va_size; };

struct buf {
	caddr_t b_data;
	caddr_t b_kvabase;
	long b_bcount;
	long b_bufsize;
	long b_runningbufspace;
	daddr_t b_blkno;
	off_t b_iooffset;
	off_t b_offset;
	int b_iocmd;
	int b_ioflags;
	int b_flags;
	int b_npages;
	int b_pgbefore;
	int b_pgafter;
	struct vnode *b_vp;
	struct ucred *b_rcred;
	struct ucred *b_wcred;
	void (*b_iodone)(struct buf *);
	void (*b_pgiodone)(void *, vm_page_t *, int, int);
	void *b_caller1;
	vm_page_t b_pages[MAXPHYS / PAGE_SIZE];
};
#define BIO_READ 0x01
#define BIO_ERROR 0x01
#define B_ASYNC 0x00000004
#define NOCRED ((struct ucred *)0)

/* uio and iovec are locals of the seed: linear memory. */
struct iovec { void *iov_base; size_t iov_len; };
enum uio_rw { UIO_READ, UIO_WRITE };
enum uio_seg { UIO_USERSPACE, UIO_SYSSPACE, UIO_NOCOPY };
struct uio {
	struct iovec *uio_iov;
	int uio_iovcnt;
	off_t uio_offset;
	ssize_t uio_resid;
	enum uio_seg uio_segflg;
	enum uio_rw uio_rw;
	struct thread *uio_td;
};

typedef void (*vop_getpages_iodone_t)(void *, vm_page_t *, int, int);
/* The VOP argument structures are built by the caller (cwasm/imports.ts) in linear memory. */
struct vop_getpages_args {
	struct vnode *a_vp;
	vm_page_t *a_m;
	int a_count;
	int *a_rbehind;
	int *a_rahead;
};
struct vop_getpages_async_args {
	struct vnode *a_vp;
	vm_page_t *a_m;
	int a_count;
	int *a_rbehind;
	int *a_rahead;
	vop_getpages_iodone_t a_iodone;
	void *a_arg;
};

struct pagerops {
	vm_object_t (*pgo_alloc)(void *, vm_ooffset_t, vm_prot_t, vm_ooffset_t, struct ucred *);
	void (*pgo_dealloc)(vm_object_t);
	int (*pgo_getpages)(vm_object_t, vm_page_t *, int, int *, int *);
	int (*pgo_getpages_async)(vm_object_t, vm_page_t *, int, int *, int *, vop_getpages_iodone_t, void *);
	void (*pgo_putpages)(vm_object_t, vm_page_t *, int, int, int *);
	boolean_t (*pgo_haspage)(vm_object_t, vm_pindex_t, int *, int *);
};
#define VM_PAGER_OK 0
#define VM_PAGER_BAD 1
#define VM_PAGER_FAIL 2
#define VM_PAGER_PEND 3
#define VM_PAGER_ERROR 4
#define VM_PAGER_AGAIN 5
#define VM_PAGER_PUT_SYNC 0x0001
#define VM_PAGER_PUT_INVAL 0x0002
#define VM_PAGER_PUT_NOREUSE 0x0004
#define VM_PAGER_CLUSTER_OK 0x0008
#define VM_ALLOC_NORMAL 0
#define VM_PAGE_BITS_ALL 0xffu

#define IO_SYNC 0x0004
#define IO_ASYNC 0x0010
#define IO_INVAL 0x0040
#define IO_VMIO 0x0800
#define IO_NOREUSE 0x200000
#define IO_SEQMAX 0x7F
#define IO_SEQSHIFT 24
#define LK_EXCLUSIVE 0x080000
#define LK_RETRY 0x000400
#define V_WAIT 0x0001
#define KTR_VFS 0

struct vmmeter { u_int v_free_count; u_int v_pageout_free_min; };

/* ---- the kernel's globals: handles too ---- */
#define PC_HANDLE_BASE 0x80000000u
/* Fixed handles of the kernel's singletons (cwasm/handles.ts). */
#define PC_H_CURTHREAD (PC_HANDLE_BASE + 1 * 0x1000u)
#define PC_H_VM_CNT (PC_HANDLE_BASE + 2 * 0x1000u)
#define PC_H_BOGUS_PAGE (PC_HANDLE_BASE + 3 * 0x1000u)
#define PC_H_UNMAPPED_BUF (PC_HANDLE_BASE + 4 * 0x1000u)
#define PC_H_RUNNINGBUFSPACE (PC_HANDLE_BASE + 5 * 0x1000u)
#define PC_H_UCRED (PC_HANDLE_BASE + 6 * 0x1000u)
/*
 * curthread and vm_cnt through pointers the module holds (cwasm/layout.c),
 * not constants: a dereference of a constant handle would be a wasm load
 * whose static offset is the handle, beyond any memory.
 */
extern struct thread *const pc_curthread;
extern struct vmmeter *const pc_vm_cnt;
#define curthread pc_curthread
#define vm_cnt (*pc_vm_cnt)
#define bogus_page ((vm_page_t)PC_H_BOGUS_PAGE)
#define unmapped_buf ((caddr_t)PC_H_UNMAPPED_BUF)
#define runningbufspace (*(long *)PC_H_RUNNINGBUFSPACE)
#define unmapped_buf_allowed 1
extern int vnode_pbuf_freecnt;
extern int vnode_async_pbuf_freecnt;
extern struct pagerops vnodepagerops;

/* ---- the callees: imports, with the seed line of each call ---- */
#define PC_L int line
PC_IMPORT(kassert_fail) void pc_kassert_fail(const char *fn, int line, const char *fmt, ...);
PC_IMPORT(panic) void pc_panic(const char *fn, int line, const char *fmt, ...);
#define PC_ARGS(...) __VA_ARGS__
#define KASSERT(exp, msg) do { if (!(exp)) pc_kassert_fail(__func__, __LINE__, PC_ARGS msg); } while (0)
#define panic(...) pc_panic(__func__, __LINE__, __VA_ARGS__)
PC_IMPORT(printf) int pc_printf(int line, const char *fmt, ...);
#define printf(...) pc_printf(__LINE__, __VA_ARGS__)
#define CTR3(...) do { } while (0)

PC_IMPORT(VM_OBJECT_WLOCK) void pc_VM_OBJECT_WLOCK(vm_object_t, PC_L);
PC_IMPORT(VM_OBJECT_WUNLOCK) void pc_VM_OBJECT_WUNLOCK(vm_object_t, PC_L);
PC_IMPORT(VM_OBJECT_WOWNED) int pc_VM_OBJECT_WOWNED(vm_object_t, PC_L);
PC_IMPORT(VM_OBJECT_ASSERT_WLOCKED) void pc_VM_OBJECT_ASSERT_WLOCKED(vm_object_t, const char *, PC_L);
PC_IMPORT(VM_OBJECT_SLEEP) int pc_VM_OBJECT_SLEEP(vm_object_t, void *, int, const char *, int, PC_L);
#define VM_OBJECT_WLOCK(o) pc_VM_OBJECT_WLOCK((o), __LINE__)
#define VM_OBJECT_WUNLOCK(o) pc_VM_OBJECT_WUNLOCK((o), __LINE__)
#define VM_OBJECT_WOWNED(o) pc_VM_OBJECT_WOWNED((o), __LINE__)
#define VM_OBJECT_ASSERT_WLOCKED(o) pc_VM_OBJECT_ASSERT_WLOCKED((o), __func__, __LINE__)
#define VM_OBJECT_SLEEP(o, w, p, m, t) pc_VM_OBJECT_SLEEP((o), (w), (p), (m), (t), __LINE__)
PC_IMPORT(vm_object_set_flag) void pc_vm_object_set_flag(vm_object_t, u_short, PC_L);
PC_IMPORT(vm_object_clear_flag) void pc_vm_object_clear_flag(vm_object_t, u_short, PC_L);
#define vm_object_set_flag(o, b) pc_vm_object_set_flag((o), (b), __LINE__)
#define vm_object_clear_flag(o, b) pc_vm_object_clear_flag((o), (b), __LINE__)
PC_IMPORT(vm_object_allocate) vm_object_t pc_vm_object_allocate(objtype_t, vm_pindex_t, PC_L);
PC_IMPORT(vm_object_destroy) void pc_vm_object_destroy(vm_object_t, PC_L);
PC_IMPORT(vm_object_terminate) void pc_vm_object_terminate(vm_object_t, PC_L);
PC_IMPORT(vm_object_pip_wait) void pc_vm_object_pip_wait(vm_object_t, const char *, PC_L);
PC_IMPORT(vm_object_page_remove) void pc_vm_object_page_remove(vm_object_t, vm_pindex_t, vm_pindex_t, int, PC_L);
PC_IMPORT(vm_object_color) void pc_vm_object_color(vm_object_t, u_short, PC_L);
PC_IMPORT(umtx_shm_object_terminated) void pc_umtx_shm_object_terminated(vm_object_t, PC_L);
PC_IMPORT(vm_pager_deallocate) void pc_vm_pager_deallocate(vm_object_t, PC_L);
#define vm_object_allocate(t, s) pc_vm_object_allocate((t), (s), __LINE__)
#define vm_object_destroy(o) pc_vm_object_destroy((o), __LINE__)
#define vm_object_terminate(o) pc_vm_object_terminate((o), __LINE__)
#define vm_object_pip_wait(o, w) pc_vm_object_pip_wait((o), (w), __LINE__)
#define vm_object_page_remove(o, s, e, f) pc_vm_object_page_remove((o), (s), (e), (f), __LINE__)
#define vm_object_color(o, c) pc_vm_object_color((o), (c), __LINE__)
#define umtx_shm_object_terminated(o) pc_umtx_shm_object_terminated((o), __LINE__)
#define vm_pager_deallocate(o) pc_vm_pager_deallocate((o), __LINE__)

PC_IMPORT(vm_page_alloc) vm_page_t pc_vm_page_alloc(vm_object_t, vm_pindex_t, int, PC_L);
PC_IMPORT(vm_page_lookup) vm_page_t pc_vm_page_lookup(vm_object_t, vm_pindex_t, PC_L);
PC_IMPORT(vm_page_bits) vm_page_bits_t pc_vm_page_bits(int, int, PC_L);
PC_IMPORT(vm_page_set_valid_range) void pc_vm_page_set_valid_range(vm_page_t, int, int, PC_L);
PC_IMPORT(vm_page_clear_dirty) void pc_vm_page_clear_dirty(vm_page_t, int, int, PC_L);
PC_IMPORT(vm_page_undirty) void pc_vm_page_undirty(vm_page_t, PC_L);
PC_IMPORT(vm_page_readahead_finish) void pc_vm_page_readahead_finish(vm_page_t, PC_L);
PC_IMPORT(vm_page_assert_sbusied) void pc_vm_page_assert_sbusied(vm_page_t, const char *, PC_L);
PC_IMPORT(pmap_zero_page) void pc_pmap_zero_page(vm_page_t, PC_L);
PC_IMPORT(pmap_zero_page_area) void pc_pmap_zero_page_area(vm_page_t, int, int, PC_L);
PC_IMPORT(pmap_page_is_mapped) boolean_t pc_pmap_page_is_mapped(vm_page_t, PC_L);
PC_IMPORT(pmap_page_is_write_mapped) boolean_t pc_pmap_page_is_write_mapped(vm_page_t, PC_L);
PC_IMPORT(pmap_qenter) void pc_pmap_qenter(vm_offset_t, vm_page_t *, int, PC_L);
PC_IMPORT(pmap_qremove) void pc_pmap_qremove(vm_offset_t, int, PC_L);
#define vm_page_alloc(o, p, f) pc_vm_page_alloc((o), (p), (f), __LINE__)
#define vm_page_lookup(o, p) pc_vm_page_lookup((o), (p), __LINE__)
#define vm_page_bits(b, s) pc_vm_page_bits((b), (s), __LINE__)
#define vm_page_set_valid_range(m, b, s) pc_vm_page_set_valid_range((m), (b), (s), __LINE__)
#define vm_page_clear_dirty(m, b, s) pc_vm_page_clear_dirty((m), (b), (s), __LINE__)
#define vm_page_undirty(m) pc_vm_page_undirty((m), __LINE__)
#define vm_page_readahead_finish(m) pc_vm_page_readahead_finish((m), __LINE__)
#define vm_page_assert_sbusied(m) pc_vm_page_assert_sbusied((m), __func__, __LINE__)
#define pmap_zero_page(m) pc_pmap_zero_page((m), __LINE__)
#define pmap_zero_page_area(m, o, s) pc_pmap_zero_page_area((m), (o), (s), __LINE__)
#define pmap_page_is_mapped(m) pc_pmap_page_is_mapped((m), __LINE__)
#define pmap_page_is_write_mapped(m) pc_pmap_page_is_write_mapped((m), __LINE__)
#define pmap_qenter(va, m, n) pc_pmap_qenter((va), (m), (n), __LINE__)
#define pmap_qremove(va, n) pc_pmap_qremove((va), (n), __LINE__)
/* The object's page list: the kernel's (vm_page.ts), not the seed's fields. */
PC_IMPORT(TAILQ_PREV) vm_page_t pc_TAILQ_PREV(vm_page_t, PC_L);
PC_IMPORT(TAILQ_NEXT) vm_page_t pc_TAILQ_NEXT(vm_page_t, PC_L);
#define TAILQ_PREV(m, head, field) pc_TAILQ_PREV((m), __LINE__)
#define TAILQ_NEXT(m, field) pc_TAILQ_NEXT((m), __LINE__)

PC_IMPORT(vn_isdisk) int pc_vn_isdisk(struct vnode *, int *, PC_L);
PC_IMPORT(vn_canvmio) int pc_vn_canvmio(struct vnode *, PC_L);
PC_IMPORT(VOP_GETATTR) int pc_VOP_GETATTR(struct vnode *, struct vattr *, struct ucred *, PC_L);
PC_IMPORT(VOP_UNLOCK) int pc_VOP_UNLOCK(struct vnode *, int, PC_L);
PC_IMPORT(vn_lock) int pc_vn_lock(struct vnode *, int, PC_L);
PC_IMPORT(vrele) void pc_vrele(struct vnode *, PC_L);
PC_IMPORT(vrefact) void pc_vrefact(struct vnode *, PC_L);
PC_IMPORT(vunref) void pc_vunref(struct vnode *, PC_L);
PC_IMPORT(vhold) void pc_vhold(struct vnode *, PC_L);
PC_IMPORT(vdrop) void pc_vdrop(struct vnode *, PC_L);
PC_IMPORT(VI_LOCK) void pc_VI_LOCK(struct vnode *, PC_L);
PC_IMPORT(VI_UNLOCK) void pc_VI_UNLOCK(struct vnode *, PC_L);
PC_IMPORT(ASSERT_VOP_ELOCKED) void pc_ASSERT_VOP_ELOCKED(struct vnode *, const char *, const char *, PC_L);
PC_IMPORT(VOP_ADD_WRITECOUNT) void pc_VOP_ADD_WRITECOUNT(struct vnode *, int, PC_L);
PC_IMPORT(VOP_UNSET_TEXT) void pc_VOP_UNSET_TEXT(struct vnode *, PC_L);
PC_IMPORT(VOP_BMAP) int pc_VOP_BMAP(struct vnode *, daddr_t, struct bufobj **, daddr_t *, int *, int *, PC_L);
PC_IMPORT(VOP_READ) int pc_VOP_READ(struct vnode *, struct uio *, int, struct ucred *, PC_L);
PC_IMPORT(VOP_WRITE) int pc_VOP_WRITE(struct vnode *, struct uio *, int, struct ucred *, PC_L);
PC_IMPORT(VOP_GETPAGES) int pc_VOP_GETPAGES(struct vnode *, vm_page_t *, int, int *, int *, PC_L);
PC_IMPORT(VOP_GETPAGES_ASYNC) int pc_VOP_GETPAGES_ASYNC(struct vnode *, vm_page_t *, int, int *, int *, vop_getpages_iodone_t, void *, PC_L);
PC_IMPORT(VOP_PUTPAGES) int pc_VOP_PUTPAGES(struct vnode *, vm_page_t *, int, int, int *, PC_L);
PC_IMPORT(vn_start_write) int pc_vn_start_write(struct vnode *, struct mount **, int, PC_L);
PC_IMPORT(vn_finished_write) void pc_vn_finished_write(struct mount *, PC_L);
#define vn_isdisk(vp, e) pc_vn_isdisk((vp), (e), __LINE__)
#define vn_canvmio(vp) pc_vn_canvmio((vp), __LINE__)
#define VOP_GETATTR(vp, va, c) pc_VOP_GETATTR((vp), (va), (c), __LINE__)
#define VOP_UNLOCK(vp, f) pc_VOP_UNLOCK((vp), (f), __LINE__)
#define vn_lock(vp, f) pc_vn_lock((vp), (f), __LINE__)
#define vrele(vp) pc_vrele((vp), __LINE__)
#define vrefact(vp) pc_vrefact((vp), __LINE__)
#define vunref(vp) pc_vunref((vp), __LINE__)
#define vhold(vp) pc_vhold((vp), __LINE__)
#define vdrop(vp) pc_vdrop((vp), __LINE__)
#define VI_LOCK(vp) pc_VI_LOCK((vp), __LINE__)
#define VI_UNLOCK(vp) pc_VI_UNLOCK((vp), __LINE__)
#define ASSERT_VOP_ELOCKED(vp, s) pc_ASSERT_VOP_ELOCKED((vp), (s), __func__, __LINE__)
#define VOP_ADD_WRITECOUNT(vp, i) pc_VOP_ADD_WRITECOUNT((vp), (i), __LINE__)
#define VOP_UNSET_TEXT(vp) pc_VOP_UNSET_TEXT((vp), __LINE__)
#define VOP_BMAP(vp, bn, bo, bnp, a, b) pc_VOP_BMAP((vp), (bn), (bo), (bnp), (a), (b), __LINE__)
#define VOP_READ(vp, u, f, c) pc_VOP_READ((vp), (u), (f), (c), __LINE__)
#define VOP_WRITE(vp, u, f, c) pc_VOP_WRITE((vp), (u), (f), (c), __LINE__)
#define VOP_GETPAGES(vp, m, n, b, a) pc_VOP_GETPAGES((vp), (m), (n), (b), (a), __LINE__)
#define VOP_GETPAGES_ASYNC(vp, m, n, b, a, d, g) pc_VOP_GETPAGES_ASYNC((vp), (m), (n), (b), (a), (d), (g), __LINE__)
#define VOP_PUTPAGES(vp, m, n, f, r) pc_VOP_PUTPAGES((vp), (m), (n), (f), (r), __LINE__)
#define vn_start_write(vp, mp, f) pc_vn_start_write((vp), (mp), (f), __LINE__)
#define vn_finished_write(mp) pc_vn_finished_write((mp), __LINE__)

PC_IMPORT(getpbuf) struct buf *pc_getpbuf(int *, PC_L);
PC_IMPORT(relpbuf) void pc_relpbuf(struct buf *, int *, PC_L);
PC_IMPORT(pbgetbo) void pc_pbgetbo(struct bufobj *, struct buf *, PC_L);
PC_IMPORT(pbrelbo) void pc_pbrelbo(struct buf *, PC_L);
PC_IMPORT(bstrategy) void pc_bstrategy(struct buf *, PC_L);
PC_IMPORT(bwait) void pc_bwait(struct buf *, int, const char *, PC_L);
PC_IMPORT(buf_mapped) int pc_buf_mapped(struct buf *, PC_L);
PC_IMPORT(BUF_KERNPROC) void pc_BUF_KERNPROC(struct buf *, PC_L);
PC_IMPORT(crhold) struct ucred *pc_crhold(struct ucred *, PC_L);
PC_IMPORT(atomic_add_long) void pc_atomic_add_long(long *, long, PC_L);
PC_IMPORT(bzero) void pc_bzero(void *, size_t, PC_L);
PC_IMPORT(sf_buf_alloc) struct sf_buf *pc_sf_buf_alloc(vm_page_t, int, PC_L);
PC_IMPORT(sf_buf_free) void pc_sf_buf_free(struct sf_buf *, PC_L);
PC_IMPORT(sf_buf_kva) vm_offset_t pc_sf_buf_kva(struct sf_buf *, PC_L);
PC_IMPORT(ppsratecheck) int pc_ppsratecheck(struct timeval *, int *, int, PC_L);
PC_IMPORT(VM_CNT_ADD) void pc_VM_CNT_ADD(const char *, int, PC_L);
PC_IMPORT(wakeup) void pc_wakeup(void *, PC_L);
/*
 * The caller's vop_getpages_iodone_t: an iodone of the kernel model reaches
 * the C as this import's address, its argument as a handle holding both
 * (cwasm/runtime.ts CIodone); exported as pc_pgiodone_fn (cwasm/layout.c).
 */
PC_IMPORT(pgiodone) void pc_pgiodone(void *, vm_page_t *, int, int);
/* bdone's address is stored in b_iodone: an import called by the kernel's completion. */
PC_IMPORT(bdone) void bdone(struct buf *);
#define getpbuf(c) pc_getpbuf((c), __LINE__)
#define relpbuf(b, c) pc_relpbuf((b), (c), __LINE__)
#define pbgetbo(bo, b) pc_pbgetbo((bo), (b), __LINE__)
#define pbrelbo(b) pc_pbrelbo((b), __LINE__)
#define bstrategy(b) pc_bstrategy((b), __LINE__)
#define bwait(b, p, m) pc_bwait((b), (p), (m), __LINE__)
#define buf_mapped(b) pc_buf_mapped((b), __LINE__)
#define BUF_KERNPROC(b) pc_BUF_KERNPROC((b), __LINE__)
#define crhold(c) pc_crhold((c), __LINE__)
#define atomic_add_long(p, v) pc_atomic_add_long((p), (v), __LINE__)
#define bzero(p, n) pc_bzero((p), (n), __LINE__)
#define sf_buf_alloc(m, f) pc_sf_buf_alloc((m), (f), __LINE__)
#define sf_buf_free(s) pc_sf_buf_free((s), __LINE__)
#define sf_buf_kva(s) pc_sf_buf_kva((s), __LINE__)
#define ppsratecheck(t, c, m) pc_ppsratecheck((t), (c), (m), __LINE__)
#define VM_CNT_ADD(f, n) pc_VM_CNT_ADD(#f, (n), __LINE__)
#define VM_CNT_INC(f) pc_VM_CNT_ADD(#f, 1, __LINE__)
#define wakeup(c) pc_wakeup((c), __LINE__)

/* Prototypes of the seed's own extern functions (vm/vnode_pager.h). */
int vnode_create_vobject(struct vnode *, off_t, struct thread *);
void vnode_destroy_vobject(struct vnode *);
void vnode_pager_setsize(struct vnode *, vm_ooffset_t);
int vnode_pager_local_getpages(struct vop_getpages_args *);
int vnode_pager_local_getpages_async(struct vop_getpages_async_args *);
int vnode_pager_generic_getpages(struct vnode *, vm_page_t *, int, int *, int *, vop_getpages_iodone_t, void *);
int vnode_pager_generic_putpages(struct vnode *, vm_page_t *, int, int, int *);
int vnode_pager_putpages_ioflags(int);
void vnode_pager_undirty_pages(vm_page_t *, int *, int);
void vnode_pager_update_writecount(vm_object_t, vm_offset_t, vm_offset_t);
void vnode_pager_release_writecount(vm_object_t, vm_offset_t, vm_offset_t);

#endif /* PC_KERNEL_H */
