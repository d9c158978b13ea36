/* The library's version (include/nodeloop.h). */
#include "nodeloop.h"

#define NDL_STR(x) #x
#define NDL_XSTR(x) NDL_STR(x)

unsigned ndl_version(void) {
  return NDL_VERSION_HEX;
}

const char *ndl_version_string(void) {
  return NDL_XSTR(NDL_VERSION_MAJOR) "." NDL_XSTR(
      NDL_VERSION_MINOR) "." NDL_XSTR(NDL_VERSION_PATCH);
}
