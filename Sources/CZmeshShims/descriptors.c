#include "zmesh_descriptors.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int zmesh_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int zmesh_mkostemp_cloexec(char *template_path) { return mkostemp(template_path, O_CLOEXEC); }
