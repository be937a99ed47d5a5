/*
 * mcpproxy.h: the C API of libmcpproxy, the MCP proxy as a library.
 *
 * A C (or Python, through ctypes) program creates a proxy from config text (the same YAML or
 * JSON as `mcp-proxy`'s config file), starts it on its network fronts or on the host process's
 * stdin/stdout, reads its statistics, reloads it, plugs a policy callback into its request
 * pipeline, and stops it. The hot path never enters the host: the proxy runs on its own threads,
 * and a policy callback runs only for the requests its globs match.
 *
 * Conventions
 * - Every function is safe to call from any thread unless it says otherwise. Calls on one
 *   handle are serialized internally where they change its state (start, stop, reload).
 * - Strings passed in are UTF-8 and NUL-terminated; the proxy copies what it keeps.
 * - Every `char *` the library returns (directly or through `char **error`) is allocated by the
 *   library and must be freed with `mcpproxy_string_free`. `error` arguments may be NULL when
 *   the caller does not want the message; on success `*error` is set to NULL.
 * - No Swift type, exception or signal handler crosses this boundary. The library installs no
 *   signal handlers: the host decides what SIGINT and SIGTERM do (call `mcpproxy_stop`).
 * - Functions that return `int` return MCPPROXY_OK (0) on success or one of the
 *   MCPPROXY_ERR_* codes below, with a message in `*error`.
 */
#ifndef MCPPROXY_H
#define MCPPROXY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. It changes only when an existing function's
 * signature or meaning changes; functions added later keep it. Compare it with
 * `mcpproxy_abi_version()` at run time. */
#define MCPPROXY_ABI_VERSION 1

/* Result codes. */
#define MCPPROXY_OK 0
#define MCPPROXY_ERR_CONFIG 1    /* the config text has problems (the message lists every one) */
#define MCPPROXY_ERR_STATE 2     /* not allowed now (start twice, reload a destroyed proxy, ...) */
#define MCPPROXY_ERR_START 3     /* a listener could not bind, or an upstream part could not be built */
#define MCPPROXY_ERR_TIMEOUT 4   /* the wait ended before the proxy stopped */
#define MCPPROXY_ERR_ARGUMENT 5  /* a NULL handle or string, or an invalid glob */

/* Where `mcpproxy_start` serves clients. */
#define MCPPROXY_FRONT_NETWORK 1 /* proxy.listen (Streamable HTTP, legacy SSE, WebSocket) and proxy.admin */
#define MCPPROXY_FRONT_STDIO 2   /* one client on the host process's stdin and stdout */

/* What a policy callback returns. */
#define MCPPROXY_ALLOW 0
#define MCPPROXY_DENY 1

/* A proxy. Opaque; created by `mcpproxy_create`, released by `mcpproxy_destroy`. */
typedef struct mcpproxy mcpproxy;

/* The ABI version of the loaded library (MCPPROXY_ABI_VERSION when it was built).
 * Thread-safe. */
uint32_t mcpproxy_abi_version(void);

/* The proxy's version as text (the serverInfo.version it reports by default), e.g. "0.1.0".
 * Static: do not free. Thread-safe. */
const char *mcpproxy_version(void);

/* Creates a proxy from config text (YAML or JSON; `${VAR}` references are expanded from the
 * process environment). Nothing starts and no upstream is spawned until `mcpproxy_start`.
 * `source_name` names the text in error messages (e.g. a file path); NULL means "<config>".
 * Returns NULL on failure, with every problem of the config in `*error`.
 * Thread-safe. */
mcpproxy *mcpproxy_create(const char *config_text, const char *source_name, char **error);

/* Starts the proxy on `front` (MCPPROXY_FRONT_NETWORK or MCPPROXY_FRONT_STDIO) and returns once
 * it serves: for the network front, once every listener is bound (port 0 picks a free port; see
 * `mcpproxy_addresses`); shared upstreams warm up in the background. A proxy starts once: after
 * `mcpproxy_stop`, create a new one. Thread-safe. */
int mcpproxy_start(mcpproxy *proxy, int front, char **error);

/* The bound addresses as a JSON object, e.g.
 *   {"front":"stdio"} or
 *   {"front":"network","url":"http://127.0.0.1:41234","mcp":"http://127.0.0.1:41234/mcp",
 *    "sse":"...","ws":"ws://...","admin":"http://127.0.0.1:41235"}
 * ("admin" only with proxy.admin). NULL before start. Free with `mcpproxy_string_free`.
 * Thread-safe. */
char *mcpproxy_addresses(mcpproxy *proxy);

/* Blocks until the proxy has stopped (the stdio client closed its input, `mcpproxy_stop` was
 * called, or a fatal error), or `timeout_seconds` passed (a negative timeout waits forever).
 * Returns MCPPROXY_OK when stopped, MCPPROXY_ERR_TIMEOUT otherwise, MCPPROXY_ERR_STATE when it
 * was never started. Thread-safe; do not call it from a policy callback. */
int mcpproxy_wait(mcpproxy *proxy, double timeout_seconds);

/* Stops the proxy gracefully: the fronts stop accepting, requests in flight get up to
 * `grace_seconds` to finish (negative: the config's proxy.listen.drainSeconds; idle sessions do
 * not hold the drain up), then every client session ends, every upstream session closes and
 * every upstream process gets SIGTERM, then SIGKILL after proxy.upstreams.shutdownGraceSeconds. Returns once all of that is done. Stopping a proxy that
 * is not running returns MCPPROXY_OK; one stopped before it started cannot start. Thread-safe; do not call it from a policy callback. */
int mcpproxy_stop(mcpproxy *proxy, double grace_seconds, char **error);

/* Stops the proxy if it runs (as `mcpproxy_stop` with the configured grace) and frees it.
 * The handle is invalid afterwards. Not to be called concurrently with other calls on the
 * same handle. */
void mcpproxy_destroy(mcpproxy *proxy);

/* The statistics as a JSON document (the admin listener's /stats: requests, errors and latency
 * percentiles per upstream, method and tool; pool, breaker and refusal counters).
 * NULL only for a NULL handle. Free with `mcpproxy_string_free`. Thread-safe. */
char *mcpproxy_stats_json(mcpproxy *proxy);

/* The statistics in the Prometheus text format (the admin listener's /metrics). Free with
 * `mcpproxy_string_free`. Thread-safe. */
char *mcpproxy_metrics_text(mcpproxy *proxy);

/* The upstreams' states as a JSON array, one object per upstream:
 *   {"upstream":"alpha","mode":"shared","ready":true,"sessions":1,"detail":"...","breaker":"closed"}
 * Nothing is started to find out. Free with `mcpproxy_string_free`. Thread-safe. */
char *mcpproxy_upstreams_json(mcpproxy *proxy);

/* Replaces the configuration with new config text, without dropping anyone: the new text is
 * validated and built first (on any problem nothing changes and the problems are in `*error`);
 * then new client sessions get the new upstreams, routes, limits, authorization and
 * authentication, and sessions already open move onto them: they keep their connection, their
 * requests in flight finish on the old configuration, and they are sent list_changed (a session
 * holding resource subscriptions finishes on the old one). The old upstreams stop once nothing
 * uses them. Statistics continue. Listener settings
 * (proxy.listen host, port, paths and TLS; proxy.admin) cannot change while running: such a
 * reload fails with MCPPROXY_ERR_STATE and changes nothing. Before start, a reload simply
 * replaces the config. Thread-safe. */
int mcpproxy_reload(mcpproxy *proxy, const char *config_text, char **error);

/* What a policy callback is asked about. Every string is valid only during the call. */
typedef struct mcpproxy_policy_request {
    const char *principal; /* the caller's subject ("anonymous" without authentication) */
    const char *roles;     /* the caller's roles, comma-separated ("" when none) */
    const char *method;    /* the JSON-RPC method, e.g. "tools/call" */
    const char *name;      /* the tool or prompt name, or resource URI, as the client sent it; "" when none */
    const char *upstream;  /* the upstream routing chose */
} mcpproxy_policy_request;

/* A policy: returns MCPPROXY_ALLOW or MCPPROXY_DENY. On deny it may write a NUL-terminated
 * message of at most `message_capacity` bytes (including the NUL; 1024 today) into `message`;
 * the client gets a JSON-RPC error -32003 with the message "Access denied: <message>" and
 * data {"reason":"policy","detail":"<message>"} (an empty message reads "denied by policy"),
 * and the request never reaches the upstream. Any other return value denies.
 *
 * It runs synchronously on one of the proxy's I/O threads, for every request its globs match,
 * before the request is forwarded: keep it fast and non-blocking, and do not call
 * `mcpproxy_stop`, `mcpproxy_wait` or `mcpproxy_destroy` from it. Several threads may call it at
 * once. */
typedef int (*mcpproxy_policy_fn)(void *user_data, const mcpproxy_policy_request *request,
                                  char *message, size_t message_capacity);

/* Registers `fn` as a pipeline stage (after authorization, before rate limits) for requests
 * whose method matches `method_glob` and whose name (tool, prompt or resource URI) matches
 * `name_glob`; NULL or "*" matches everything (a request without a name matches only a NULL or
 * "*" name glob). Globs use `*`, `?` and `[...]`, as in the config. Requests no policy matches
 * pay one check and never enter the host. May be called before or after start; applies to
 * requests that arrive afterwards, in every session. Several policies run in the order they were
 * added; the first deny wins. Returns a policy id (> 0) for `mcpproxy_remove_policy`, or a
 * negative MCPPROXY_ERR_* code with `*error` set. `user_data` is passed back unchanged and must
 * stay valid until the policy is removed or the proxy destroyed. Thread-safe. */
int64_t mcpproxy_add_policy(mcpproxy *proxy, const char *method_glob, const char *name_glob,
                            mcpproxy_policy_fn fn, void *user_data, char **error);

/* Removes a policy; returns MCPPROXY_OK, or MCPPROXY_ERR_ARGUMENT for an unknown id. Once it
 * returns, the callback is no longer called (calls already running finish first).
 * Thread-safe; do not call it from a policy callback. */
int mcpproxy_remove_policy(mcpproxy *proxy, int64_t policy_id);

/* Frees a string the library returned. NULL is allowed. Thread-safe. */
void mcpproxy_string_free(char *string);

#ifdef __cplusplus
}
#endif

#endif /* MCPPROXY_H */
