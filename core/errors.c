/* Messages and names for the one list of error codes, NDL_ERRNO_MAP. */
#include "nodeloop.h"

const char *ndl_strerror(int err) {
  switch (err) {
#define NDL_STRERROR_CASE(name, value, msg)                                    \
  case NDL_##name:                                                             \
    return msg;
    NDL_ERRNO_MAP(NDL_STRERROR_CASE)
#undef NDL_STRERROR_CASE
  case 0:
    return "success";
  default:
    return "unknown error";
  }
}

const char *ndl_err_name(int err) {
  switch (err) {
#define NDL_ERR_NAME_CASE(name, value, msg)                                    \
  case NDL_##name:                                                             \
    return #name;
    NDL_ERRNO_MAP(NDL_ERR_NAME_CASE)
#undef NDL_ERR_NAME_CASE
  case 0:
    return "OK";
  default:
    return "UNKNOWN";
  }
}
