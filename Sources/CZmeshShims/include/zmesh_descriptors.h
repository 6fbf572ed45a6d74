#ifndef ZMESH_DESCRIPTORS_H
#define ZMESH_DESCRIPTORS_H

// pipe2 and mkostemp are GNU extensions, hidden from Swift. Both set close-on-exec atomically, so a
// process spawned by another thread at the same moment cannot inherit the descriptors.
int zmesh_pipe_cloexec(int fds[2]);
int zmesh_mkostemp_cloexec(char *template_path);

#endif
