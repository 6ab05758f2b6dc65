/*
 * The layouts of the shim structures (include/pc_kernel.h) as data in the
 * module: the runtime (cwasm/fields.ts) reads this table to tell which field
 * of which kernel object an instrumented load or store at a handle address
 * reaches. Kinds: 'i' signed integer, 'u' unsigned, 'p' a pointer to a
 * kernel object (a handle), 'f' a function pointer.
 */
#include <pc_kernel.h>

struct pc_field {
	const char *type;
	const char *name;
	int offset;
	int size;
	int count;
	int kind;
};

#define PC_F(T, F, K) { #T, #F, __builtin_offsetof(struct T, F), sizeof(((struct T *)0)->F), 1, K }
#define PC_A(T, F, K) { #T, #F, __builtin_offsetof(struct T, F), sizeof(((struct T *)0)->F[0]), nitems(((struct T *)0)->F), K }

const struct pc_field pc_layout[] = {
	PC_F(vnode, v_type, 'i'),
	PC_F(vnode, v_mount, 'p'),
	PC_F(vnode, v_object, 'p'),
	PC_F(vnode, v_usecount, 'i'),
	PC_F(vnode, v_writecount, 'i'),
	PC_F(vnode, v_iflag, 'u'),
	PC_F(vnode, v_bufobj.bo_bsize, 'i'),
	PC_F(vm_object, flags, 'i'),
	PC_F(vm_object, type, 'u'),
	PC_F(vm_object, size, 'u'),
	PC_F(vm_object, ref_count, 'i'),
	PC_F(vm_object, handle, 'p'),
	PC_F(vm_object, un_pager.vnp.vnp_size, 'i'),
	PC_F(vm_object, un_pager.vnp.writemappings, 'i'),
	PC_F(vm_page, object, 'p'),
	PC_F(vm_page, pindex, 'u'),
	PC_F(vm_page, valid, 'u'),
	PC_F(vm_page, dirty, 'u'),
	PC_F(mount, mnt_stat.f_iosize, 'u'),
	PC_F(mount, mnt_kern_flag, 'i'),
	PC_F(thread, td_ucred, 'p'),
	PC_F(vmmeter, v_free_count, 'u'),
	PC_F(vmmeter, v_pageout_free_min, 'u'),
	PC_F(buf, b_data, 'p'),
	PC_F(buf, b_kvabase, 'p'),
	PC_F(buf, b_bcount, 'i'),
	PC_F(buf, b_bufsize, 'i'),
	PC_F(buf, b_runningbufspace, 'i'),
	PC_F(buf, b_blkno, 'i'),
	PC_F(buf, b_iooffset, 'i'),
	PC_F(buf, b_offset, 'i'),
	PC_F(buf, b_iocmd, 'i'),
	PC_F(buf, b_ioflags, 'i'),
	PC_F(buf, b_flags, 'i'),
	PC_F(buf, b_npages, 'i'),
	PC_F(buf, b_pgbefore, 'i'),
	PC_F(buf, b_pgafter, 'i'),
	PC_F(buf, b_vp, 'p'),
	PC_F(buf, b_rcred, 'p'),
	PC_F(buf, b_wcred, 'p'),
	PC_F(buf, b_iodone, 'f'),
	PC_F(buf, b_pgiodone, 'f'),
	PC_F(buf, b_caller1, 'p'),
	PC_A(buf, b_pages, 'p'),
	PC_F(bufobj, bo_bsize, 'i'),
	/* Linear memory (the seed's locals), laid out for the callees that read them (VOP_READ, VOP_WRITE). */
	PC_F(uio, uio_iov, 'i'),
	PC_F(uio, uio_iovcnt, 'i'),
	PC_F(uio, uio_offset, 'i'),
	PC_F(uio, uio_resid, 'i'),
	PC_F(uio, uio_segflg, 'i'),
	PC_F(uio, uio_rw, 'i'),
	PC_F(iovec, iov_base, 'i'),
	PC_F(iovec, iov_len, 'i'),
};
const int pc_layout_count = nitems(pc_layout);
struct thread *const pc_curthread = (struct thread *)PC_H_CURTHREAD;
struct vmmeter *const pc_vm_cnt = (struct vmmeter *)PC_H_VM_CNT;
/* The table index of the iodone trampoline (include/pc_kernel.h pc_pgiodone). */
const vop_getpages_iodone_t pc_pgiodone_fn = pc_pgiodone;
