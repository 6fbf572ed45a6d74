#ifndef ZMESH_SPAWN_H
#define ZMESH_SPAWN_H

#include <spawn.h>

// posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34) is a GNU extension, hidden from Swift.
// Closes every descriptor >= lowfd in the child. Returns 0 or an errno value.
int zmesh_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd);

#endif
