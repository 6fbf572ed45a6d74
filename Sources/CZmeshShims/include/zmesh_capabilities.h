#ifndef ZMESH_CAPABILITIES_H
#define ZMESH_CAPABILITIES_H

// Clears the calling thread's effective, permitted and inheritable capability sets (capset(2) on
// this thread only; glibc has no wrapper). The thread can never regain them: use a thread that is
// thrown away afterwards. Returns 0 or -1 with errno set.
int zmesh_drop_thread_capabilities(void);

#endif
