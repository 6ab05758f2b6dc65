/* resolved by pc_kernel.h */
#include <pc_kernel.h>
