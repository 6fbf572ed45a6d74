#include "zmesh_shims.h"

#include <sched.h>
#include <unistd.h>

int zmesh_setns(int fd, int nstype) { return setns(fd, nstype); }
int zmesh_unshare(int flags) { return unshare(flags); }
pid_t zmesh_gettid(void) { return gettid(); }
int zmesh_clone_newnet(void) { return CLONE_NEWNET; }
int zmesh_clone_newns(void) { return CLONE_NEWNS; }
