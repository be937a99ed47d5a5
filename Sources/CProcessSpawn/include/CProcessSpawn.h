#ifndef C_PROCESS_SPAWN_H
#define C_PROCESS_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/// Creates a pipe whose two ends are close-on-exec (pipe2 with O_CLOEXEC, atomically where the
/// C library has pipe2). Returns 0 on success, -1 with errno set on failure.
int mcp_pipe_cloexec(int fds[2]);

/// A resource limit that is not set (the child keeps the proxy's own).
#define MCP_SPAWN_NO_LIMIT (-1LL)

/// Everything the child needs, prepared in the parent: after fork the child may only make
/// async-signal-safe calls, so nothing here is looked up, allocated or formatted in the child.
struct mcp_spawn_request {
    /// The executable, already resolved against PATH by the caller (execve does not search).
    const char *path;
    /// NULL-terminated argument and environment vectors.
    char *const *argv;
    char *const *envp;
    /// The child's working directory, or NULL to keep the proxy's.
    const char *working_directory;
    /// The child's ends of its three pipes; they become its fds 0, 1 and 2. Every other
    /// descriptor is closed in the child before exec.
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    /// RLIMIT_AS in bytes, RLIMIT_CPU in seconds, RLIMIT_NOFILE, RLIMIT_NPROC; each
    /// MCP_SPAWN_NO_LIMIT to leave it alone. Soft and hard limit are both set.
    long long address_space_bytes;
    long long cpu_seconds;
    long long open_files;
    long long processes;
    /// Non-zero: PR_SET_PDEATHSIG(SIGKILL), so the child dies with the proxy (Linux only).
    int die_with_parent;
    /// Non-zero: PR_SET_NO_NEW_PRIVS(1), so exec can never gain privileges (Linux only).
    int no_new_privileges;
    /// Non-zero: setgroups({gid}) and setgid(gid) before exec.
    int change_group;
    gid_t gid;
    /// Non-zero: setuid(uid) before exec (after the group change).
    int change_user;
    uid_t uid;
};

/// The step of the spawn that failed, reported with its errno.
enum mcp_spawn_step {
    MCP_SPAWN_STEP_NONE = 0,
    MCP_SPAWN_STEP_THREAD,
    MCP_SPAWN_STEP_STATUS_PIPE,
    MCP_SPAWN_STEP_FORK,
    MCP_SPAWN_STEP_SETPGID,
    MCP_SPAWN_STEP_SIGNALS,
    MCP_SPAWN_STEP_DUP2,
    MCP_SPAWN_STEP_CLOSE_FDS,
    MCP_SPAWN_STEP_CHDIR,
    MCP_SPAWN_STEP_RLIMIT_AS,
    MCP_SPAWN_STEP_RLIMIT_CPU,
    MCP_SPAWN_STEP_RLIMIT_NOFILE,
    MCP_SPAWN_STEP_RLIMIT_NPROC,
    MCP_SPAWN_STEP_PDEATHSIG,
    MCP_SPAWN_STEP_PARENT_GONE,
    MCP_SPAWN_STEP_NO_NEW_PRIVS,
    MCP_SPAWN_STEP_SETGROUPS,
    MCP_SPAWN_STEP_SETGID,
    MCP_SPAWN_STEP_SETUID,
    MCP_SPAWN_STEP_EXEC,
};

/// The outcome of `mcp_spawn`.
struct mcp_spawn_result {
    /// The child's pid (its own process group leader) on success; -1 on failure.
    pid_t pid;
    /// 0 on success; else the errno of the failed step.
    int error;
    /// Which step failed (`enum mcp_spawn_step`).
    int step;
};

/// Forks and execs a child as `request` describes, on the one long-lived spawner thread (see
/// spawn.c for why). Blocks the calling thread until the child has exec'd or failed. Returns 0
/// on success, -1 on failure; `result` says which step failed and why. A child that failed
/// before exec has already been reaped.
int mcp_spawn(const struct mcp_spawn_request *request, struct mcp_spawn_result *result);

/// A short name for a spawn step, for error messages ("execve", "setrlimit(RLIMIT_AS)", ...).
const char *mcp_spawn_step_name(int step);

/// The highest descriptor number the child may have to close when close_range is unavailable.
/// Exposed for tests.
long mcp_spawn_fd_ceiling(void);

#endif
