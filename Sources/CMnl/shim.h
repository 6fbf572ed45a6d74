#ifndef ZMESH_CMNL_H
#define ZMESH_CMNL_H
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#endif
