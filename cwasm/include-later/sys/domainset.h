/* resolved by pc_later.h (a later revision of vnode_pager.c) */
#include <pc_later.h>
