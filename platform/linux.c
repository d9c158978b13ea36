#include "platform/platform.h"
int ndl__linux_new(const ndl_options *o, unsigned t, struct ndl__platform **out){(void)o;(void)t;*out=0;return NDL_ENOTSUP;}
