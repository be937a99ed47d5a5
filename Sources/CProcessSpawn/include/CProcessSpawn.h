#ifndef C_PROCESS_SPAWN_H
#define C_PROCESS_SPAWN_H

#include <spawn.h>

/// Adds a change of working directory to a posix_spawn file-actions object.
/// Wraps glibc's posix_spawn_file_actions_addchdir_np, which Swift's Glibc module does not export.
/// Returns 0 on success or an errno value (ENOSYS where the C library lacks it).
int mcp_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// Creates a pipe whose two ends are close-on-exec (pipe2 with O_CLOEXEC, atomically where the
/// C library has pipe2). Returns 0 on success, -1 with errno set on failure.
int mcp_pipe_cloexec(int fds[2]);

#endif
