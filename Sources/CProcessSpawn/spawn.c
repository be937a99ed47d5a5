// The one path by which the proxy starts a child process: fork and exec on a dedicated thread.
//
// Why not posix_spawn: the child must end up with exactly fds 0, 1 and 2 (every other
// descriptor of the proxy -- listening sockets, client connections, epoll fds -- closed), in its
// own process group, with resource limits, no_new_privs, an optional user/group drop and a
// parent-death signal. posix_spawn cannot do the last four, so the child runs our own code
// between fork and exec. That code may only make async-signal-safe calls (the proxy is
// multithreaded; another thread may have held the malloc lock at fork time): everything it needs
// is prepared by the parent in `struct mcp_spawn_request`.
//
// Why a dedicated thread: PR_SET_PDEATHSIG fires when the *thread* that forked the child exits,
// not when the process does. Swift concurrency and Dispatch pool threads may exit when idle, and
// a child forked from one of them would be killed at some random later moment. So every fork
// happens on one spawner thread that is started once and never exits; callers hand it a request
// under a mutex and wait on a condition variable for the result. The spawner thread keeps every
// signal blocked, so no handler of the proxy can run in a freshly forked child before the child
// has reset the dispositions.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif
#include "CProcessSpawn.h"

// MARK: - The child (async-signal-safe code only)

/// What a child that failed before exec writes to the status pipe.
struct failure_report {
    int step;
    int error;
};

/// Reports `step` with the current errno to the parent and exits. Never returns.
static void child_fail(int status_fd, int step) {
    struct failure_report report = { step, errno };
    ssize_t ignored = write(status_fd, &report, sizeof report);
    (void)ignored;
    _exit(127);
}

/// Closes every descriptor in [low, high] (inclusive). close_range where the kernel has it
/// (Linux 5.9+); otherwise one close() per number, up to `ceiling` (a /proc/self/fd walk would
/// allocate, which is not allowed here).
static int close_range_safe(int low, unsigned int high, long ceiling) {
    if ((unsigned int)low > high) return 0;
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, (unsigned int)low, high, 0) == 0) return 0;
    if (errno != ENOSYS && errno != EINVAL) return -1;
#endif
    long last = (long)high < ceiling ? (long)high : ceiling;
    for (long fd = low; fd <= last; fd++) (void)close((int)fd);
    return 0;
}

static int set_limit(int resource, long long value) {
    if (value == MCP_SPAWN_NO_LIMIT) return 0;
    struct rlimit limit = { (rlim_t)value, (rlim_t)value };
    return setrlimit(resource, &limit);
}

/// The signals the proxy ignores or handles; an ignored disposition survives exec, so each is
/// set back to its default.
static const int reset_signals[] = {
    SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM,
};

/// Runs in the child between fork and exec. Never returns.
static void run_child(const struct mcp_spawn_request *request, int status_fd, pid_t parent, long ceiling) {
    // 1. Own process group, so shutdown signals reach the child's own children too.
    if (setpgid(0, 0) != 0) child_fail(status_fd, MCP_SPAWN_STEP_SETPGID);

    // 2. Default dispositions and an empty mask (the spawner thread blocks everything).
    struct sigaction defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.sa_handler = SIG_DFL;
    sigemptyset(&defaults.sa_mask);
    for (size_t i = 0; i < sizeof reset_signals / sizeof reset_signals[0]; i++) {
        if (sigaction(reset_signals[i], &defaults, NULL) != 0) child_fail(status_fd, MCP_SPAWN_STEP_SIGNALS);
    }
    sigset_t empty;
    sigemptyset(&empty);
    if (sigprocmask(SIG_SETMASK, &empty, NULL) != 0) child_fail(status_fd, MCP_SPAWN_STEP_SIGNALS);

    // 3. The pipe ends become 0, 1 and 2. A source that already sits at 0..2 (the proxy closed
    //    its own stdio) is first moved above 2, so one dup2 cannot overwrite another's source.
    int sources[3] = { request->stdin_fd, request->stdout_fd, request->stderr_fd };
    for (int i = 0; i < 3; i++) {
        if (sources[i] < 3) {
            sources[i] = fcntl(sources[i], F_DUPFD, 3);
            if (sources[i] < 0) child_fail(status_fd, MCP_SPAWN_STEP_DUP2);
        }
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(sources[i], i) < 0) child_fail(status_fd, MCP_SPAWN_STEP_DUP2);   // dup2 clears FD_CLOEXEC
    }

    // 4. Close everything else, except the status pipe (close-on-exec, so exec closes it).
    if (close_range_safe(3, (unsigned int)status_fd - 1, ceiling) != 0
        || close_range_safe(status_fd + 1, ~0U, ceiling) != 0) {
        child_fail(status_fd, MCP_SPAWN_STEP_CLOSE_FDS);
    }

    // 5. Working directory.
    if (request->working_directory != NULL && chdir(request->working_directory) != 0) {
        child_fail(status_fd, MCP_SPAWN_STEP_CHDIR);
    }

    // 6. Resource limits, while still privileged enough to set them.
    if (set_limit(RLIMIT_AS, request->address_space_bytes) != 0) child_fail(status_fd, MCP_SPAWN_STEP_RLIMIT_AS);
    if (set_limit(RLIMIT_CPU, request->cpu_seconds) != 0) child_fail(status_fd, MCP_SPAWN_STEP_RLIMIT_CPU);
    if (set_limit(RLIMIT_NOFILE, request->open_files) != 0) child_fail(status_fd, MCP_SPAWN_STEP_RLIMIT_NOFILE);
    if (set_limit(RLIMIT_NPROC, request->processes) != 0) child_fail(status_fd, MCP_SPAWN_STEP_RLIMIT_NPROC);

#if defined(__linux__)
    // 7. no_new_privs: setuid binaries and file capabilities grant nothing after exec.
    if (request->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        child_fail(status_fd, MCP_SPAWN_STEP_NO_NEW_PRIVS);
    }
#endif

    // 8. Drop to the configured group and user (only requested when the proxy runs as root).
    if (request->change_group) {
        gid_t groups[1] = { request->gid };
        if (setgroups(1, groups) != 0) child_fail(status_fd, MCP_SPAWN_STEP_SETGROUPS);
        if (setgid(request->gid) != 0) child_fail(status_fd, MCP_SPAWN_STEP_SETGID);
    }
    if (request->change_user && setuid(request->uid) != 0) child_fail(status_fd, MCP_SPAWN_STEP_SETUID);

#if defined(__linux__)
    // 9. Die with the proxy, even when it is killed with SIGKILL. Set after the credential change,
    //    because the kernel clears the parent-death signal when the effective ids change. Then
    //    check that the parent did not die before the signal was armed.
    if (request->die_with_parent) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) child_fail(status_fd, MCP_SPAWN_STEP_PDEATHSIG);
        if (getppid() != parent) {
            errno = ESRCH;
            child_fail(status_fd, MCP_SPAWN_STEP_PARENT_GONE);
        }
    }
#else
    (void)parent;
#endif

    // 10. Exec. On success the status pipe closes (close-on-exec) and the parent reads EOF.
    execve(request->path, request->argv, request->envp);
    child_fail(status_fd, MCP_SPAWN_STEP_EXEC);
}

// MARK: - The parent side (runs on the spawner thread)

long mcp_spawn_fd_ceiling(void) {
    struct rlimit limit;
    long ceiling = 65535;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) ceiling = (long)limit.rlim_cur;
    if (ceiling > (1L << 20)) ceiling = 1L << 20;   // a loop of a million closes is the worst case
    return ceiling;
}

/// Forks, runs the child, and waits for its exec (EOF on the status pipe) or its failure report.
static void perform_spawn(const struct mcp_spawn_request *request, struct mcp_spawn_result *result) {
    result->pid = -1;
    result->error = 0;
    result->step = MCP_SPAWN_STEP_NONE;

    // The status pipe: close-on-exec, and both ends above 2 so the child's dup2s cannot hit them.
    int status_pipe[2];
    if (mcp_pipe_cloexec(status_pipe) != 0) {
        result->error = errno;
        result->step = MCP_SPAWN_STEP_STATUS_PIPE;
        return;
    }
    for (int i = 0; i < 2; i++) {
        if (status_pipe[i] < 3) {
            int moved = fcntl(status_pipe[i], F_DUPFD_CLOEXEC, 3);
            int saved = errno;
            close(status_pipe[i]);
            if (moved < 0) {
                if (i == 1) close(status_pipe[0]);
                result->error = saved;
                result->step = MCP_SPAWN_STEP_STATUS_PIPE;
                return;
            }
            status_pipe[i] = moved;
        }
    }

    long ceiling = mcp_spawn_fd_ceiling();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(status_pipe[0]);
        run_child(request, status_pipe[1], parent, ceiling);
    }
    int fork_error = errno;
    close(status_pipe[1]);
    if (pid < 0) {
        close(status_pipe[0]);
        result->error = fork_error;
        result->step = MCP_SPAWN_STEP_FORK;
        return;
    }

    struct failure_report report;
    size_t received = 0;
    while (received < sizeof report) {
        ssize_t count = read(status_pipe[0], (char *)&report + received, sizeof report - received);
        if (count > 0) {
            received += (size_t)count;
        } else if (count == 0 || errno != EINTR) {
            break;
        }
    }
    close(status_pipe[0]);
    if (received == 0) {
        result->pid = pid;   // EOF: the exec succeeded
        return;
    }
    // The child failed before exec and has exited (or is about to): reap it.
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    if (received == sizeof report) {
        result->error = report.error;
        result->step = report.step;
    } else {
        result->error = EIO;
        result->step = MCP_SPAWN_STEP_EXEC;
    }
}

// MARK: - The spawner thread and its queue

/// One request waiting for the spawner thread; lives on the caller's stack.
struct queued_request {
    const struct mcp_spawn_request *request;
    struct mcp_spawn_result *result;
    int done;
    struct queued_request *next;
};

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_has_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t queue_did_work = PTHREAD_COND_INITIALIZER;
static struct queued_request *queue_head = NULL;
static struct queued_request *queue_tail = NULL;

static pthread_once_t spawner_once = PTHREAD_ONCE_INIT;
static int spawner_start_error = 0;

/// The spawner thread: takes requests one at a time, forever. It never exits, so the
/// parent-death signal of its children fires only when the proxy process dies.
static void *spawner_main(void *unused) {
    (void)unused;
#if defined(__linux__)
    (void)prctl(PR_SET_NAME, "mcp-spawner", 0, 0, 0);
#endif
    pthread_mutex_lock(&queue_lock);
    for (;;) {
        while (queue_head == NULL) pthread_cond_wait(&queue_has_work, &queue_lock);
        struct queued_request *item = queue_head;
        queue_head = item->next;
        if (queue_head == NULL) queue_tail = NULL;
        pthread_mutex_unlock(&queue_lock);

        perform_spawn(item->request, item->result);

        pthread_mutex_lock(&queue_lock);
        item->done = 1;
        pthread_cond_broadcast(&queue_did_work);
    }
    return NULL;
}

/// Starts the spawner thread with every signal blocked (the new thread inherits the mask of
/// the thread that creates it; the creator's own mask is restored right after).
static void start_spawner(void) {
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    spawner_start_error = pthread_create(&thread, &attributes, spawner_main, NULL);
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
}

int mcp_spawn(const struct mcp_spawn_request *request, struct mcp_spawn_result *result) {
    pthread_once(&spawner_once, start_spawner);
    if (spawner_start_error != 0) {
        result->pid = -1;
        result->error = spawner_start_error;
        result->step = MCP_SPAWN_STEP_THREAD;
        return -1;
    }
    struct queued_request item = { request, result, 0, NULL };
    pthread_mutex_lock(&queue_lock);
    if (queue_tail != NULL) queue_tail->next = &item; else queue_head = &item;
    queue_tail = &item;
    pthread_cond_signal(&queue_has_work);
    while (!item.done) pthread_cond_wait(&queue_did_work, &queue_lock);
    pthread_mutex_unlock(&queue_lock);
    return result->pid > 0 ? 0 : -1;
}

const char *mcp_spawn_step_name(int step) {
    switch (step) {
    case MCP_SPAWN_STEP_NONE: return "spawn";
    case MCP_SPAWN_STEP_THREAD: return "starting the spawner thread";
    case MCP_SPAWN_STEP_STATUS_PIPE: return "creating the status pipe";
    case MCP_SPAWN_STEP_FORK: return "fork";
    case MCP_SPAWN_STEP_SETPGID: return "setpgid";
    case MCP_SPAWN_STEP_SIGNALS: return "resetting signals";
    case MCP_SPAWN_STEP_DUP2: return "dup2 of the stdio pipes";
    case MCP_SPAWN_STEP_CLOSE_FDS: return "closing inherited descriptors";
    case MCP_SPAWN_STEP_CHDIR: return "chdir to the working directory";
    case MCP_SPAWN_STEP_RLIMIT_AS: return "setrlimit(RLIMIT_AS) for limits.memoryMB";
    case MCP_SPAWN_STEP_RLIMIT_CPU: return "setrlimit(RLIMIT_CPU) for limits.cpuSeconds";
    case MCP_SPAWN_STEP_RLIMIT_NOFILE: return "setrlimit(RLIMIT_NOFILE) for limits.openFiles";
    case MCP_SPAWN_STEP_RLIMIT_NPROC: return "setrlimit(RLIMIT_NPROC) for limits.processes";
    case MCP_SPAWN_STEP_PDEATHSIG: return "prctl(PR_SET_PDEATHSIG)";
    case MCP_SPAWN_STEP_PARENT_GONE: return "checking the proxy is still alive";
    case MCP_SPAWN_STEP_NO_NEW_PRIVS: return "prctl(PR_SET_NO_NEW_PRIVS)";
    case MCP_SPAWN_STEP_SETGROUPS: return "setgroups";
    case MCP_SPAWN_STEP_SETGID: return "setgid";
    case MCP_SPAWN_STEP_SETUID: return "setuid";
    case MCP_SPAWN_STEP_EXEC: return "execve";
    default: return "spawn";
    }
}
