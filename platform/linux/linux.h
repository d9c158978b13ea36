/*
 * The Linux backend's tables for sockets and files (io.c), which linux.c
 * puts in the platform it creates.
 */
#ifndef NDL_PLATFORM_LINUX_H
#define NDL_PLATFORM_LINUX_H

#include "platform/platform.h"

extern const struct ndl__net_ops ndl__linux_net;
extern const struct ndl__file_ops ndl__linux_files;

#endif
