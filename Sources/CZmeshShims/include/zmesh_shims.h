#ifndef ZMESH_SHIMS_H
#define ZMESH_SHIMS_H

#include <sys/types.h>

// glibc hides these behind _GNU_SOURCE, which Swift's Glibc module does not define.
int zmesh_setns(int fd, int nstype);
int zmesh_unshare(int flags);
pid_t zmesh_gettid(void);
int zmesh_clone_newnet(void);
int zmesh_clone_newns(void);

#endif
