#include "fault_points.h"

const struct ndl__fault_info ndl__fault_points[NDL__FP_COUNT] = {
#define NDL_FP_ENTRY(id, name, err, what) {name, err, what},
    NDL_FAULT_POINTS(NDL_FP_ENTRY)
#undef NDL_FP_ENTRY
};

#ifdef FIU_ENABLE
/* The core's allocations go through core/malloc from the first one on, so
 * the live count never sees a block freed that it did not see allocated.
 * This runs from here, the point table, because every fault point site and
 * the fault plans refer to the table: a program that can reach a fault
 * point links this file, where a file of the archive that nothing refers to
 * would be left out, and its constructor with it. */
__attribute__((constructor)) static void install_allocator(void) {
  ndl__fault_alloc_install();
}
#endif
