// Pipes for the proxy's own ends of a child's stdin, stdout and stderr.
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "CProcessSpawn.h"

int mcp_pipe_cloexec(int fds[2]) {
#if defined(__linux__)
    return pipe2(fds, O_CLOEXEC);
#else
    // Not atomic: a fork on another thread between pipe() and fcntl() could inherit the ends.
    // Our own spawn path closes every fd above 2 in the child, so this only matters for other
    // code that spawns.
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}
