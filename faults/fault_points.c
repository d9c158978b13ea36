#include "fault_points.h"

const struct ndl__fault_info ndl__fault_points[NDL__FP_COUNT] = {
#define NDL_FP_ENTRY(id, name, err, what) {name, err, what},
    NDL_FAULT_POINTS(NDL_FP_ENTRY)
#undef NDL_FP_ENTRY
};
