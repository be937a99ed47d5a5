/*
 * embed-c: the MCP proxy embedded in a C program through libmcpproxy's header alone.
 *
 *   embed-gateway [CONFIG [SECONDS]]
 *
 * Reads CONFIG (default: gateway.yaml next to this file), creates the proxy, starts its network
 * front, prints the bound addresses, serves for SECONDS seconds (0 or none: until SIGINT or
 * SIGTERM), prints the statistics as JSON, stops and destroys it. Every return code is checked;
 * any failure prints the library's message and exits with status 1.
 *
 * Signals: the handler only sets a flag. The main thread notices it between short waits and
 * calls mcpproxy_stop itself: the library installs no signal handlers and mcpproxy_stop is not
 * async-signal-safe.
 *
 * Build: ./build.sh (gcc, -I Sources/CMCPProxy/include, -lmcpproxy, rpath to the library).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcpproxy.h"

#ifndef EMBED_DEFAULT_CONFIG
#define EMBED_DEFAULT_CONFIG "Examples/embed-c/gateway.yaml"
#endif

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

/* Prints "embed-c: <what>: <message>" to stderr, frees the message, and exits with status 1. */
static void fail(const char *what, char *message) {
    fprintf(stderr, "embed-c: %s: %s\n", what, message ? message : "(no message)");
    mcpproxy_string_free(message);
    exit(1);
}

/* The whole file as a NUL-terminated string (malloc'd), or NULL with errno set. */
static char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    size_t capacity = 4096, length = 0;
    char *text = malloc(capacity);
    while (text) {
        size_t got = fread(text + length, 1, capacity - length - 1, file);
        length += got;
        if (got == 0) break;
        if (length + 1 == capacity) {
            char *bigger = realloc(text, capacity *= 2);
            if (!bigger) { free(text); text = NULL; break; }
            text = bigger;
        }
    }
    int failed = ferror(file);
    fclose(file);
    if (!text) { errno = ENOMEM; return NULL; }
    if (failed) { free(text); errno = EIO; return NULL; }
    text[length] = '\0';
    return text;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *config_path = argc > 1 ? argv[1] : EMBED_DEFAULT_CONFIG;
    double seconds = 0;
    if (argc > 2) {
        char *end = NULL;
        seconds = strtod(argv[2], &end);
        if (end == argv[2] || *end != '\0' || seconds < 0) {
            fprintf(stderr, "usage: %s [CONFIG [SECONDS]]  (SECONDS: a number >= 0; 0 = until SIGINT)\n", argv[0]);
            return 2;
        }
    }

    if (mcpproxy_abi_version() != MCPPROXY_ABI_VERSION) {
        fprintf(stderr, "embed-c: libmcpproxy has ABI %u, this program was built for %d\n",
                (unsigned)mcpproxy_abi_version(), MCPPROXY_ABI_VERSION);
        return 1;
    }
    printf("libmcpproxy %s (ABI %u)\n", mcpproxy_version(), (unsigned)mcpproxy_abi_version());

    char *config = read_file(config_path);
    if (!config) {
        fprintf(stderr, "embed-c: cannot read %s: %s\n", config_path, strerror(errno));
        return 1;
    }

    /* The flag-setting handler is installed before the proxy starts its threads. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) {
        perror("embed-c: sigaction");
        return 1;
    }

    char *error = NULL;
    mcpproxy *proxy = mcpproxy_create(config, config_path, &error);
    free(config);
    if (!proxy) fail("config", error);
    mcpproxy_string_free(error); /* NULL on success; freeing NULL is allowed */

    error = NULL;
    if (mcpproxy_start(proxy, MCPPROXY_FRONT_NETWORK, &error) != MCPPROXY_OK) {
        mcpproxy_destroy(proxy);
        fail("start", error);
    }

    char *addresses = mcpproxy_addresses(proxy);
    if (!addresses) {
        mcpproxy_destroy(proxy);
        fail("addresses", NULL);
    }
    printf("addresses: %s\n", addresses);
    mcpproxy_string_free(addresses);
    if (seconds > 0) printf("serving for %g seconds (Ctrl-C stops earlier)\n", seconds);
    else printf("serving until Ctrl-C\n");
    fflush(stdout);

    /* Wait in short slices so that a signal's flag is noticed within 200 ms. */
    const double deadline = now_seconds() + seconds;
    int stopped_by_itself = 0;
    while (!stop_requested && (seconds == 0 || now_seconds() < deadline)) {
        int rc = mcpproxy_wait(proxy, 0.2);
        if (rc == MCPPROXY_OK) { stopped_by_itself = 1; break; }
        if (rc != MCPPROXY_ERR_TIMEOUT) {
            fprintf(stderr, "embed-c: mcpproxy_wait returned %d\n", rc);
            mcpproxy_destroy(proxy);
            return 1;
        }
    }
    if (stop_requested) printf("signal received: stopping\n");
    if (stopped_by_itself) printf("the proxy stopped by itself\n");

    char *stats = mcpproxy_stats_json(proxy);
    if (!stats) {
        mcpproxy_destroy(proxy);
        fail("stats", NULL);
    }
    printf("stats: %s\n", stats);
    mcpproxy_string_free(stats);

    char *upstreams = mcpproxy_upstreams_json(proxy);
    if (!upstreams) {
        mcpproxy_destroy(proxy);
        fail("upstreams", NULL);
    }
    printf("upstreams: %s\n", upstreams);
    mcpproxy_string_free(upstreams);
    fflush(stdout);

    error = NULL;
    if (mcpproxy_stop(proxy, -1, &error) != MCPPROXY_OK) { /* -1: proxy.listen.drainSeconds */
        mcpproxy_destroy(proxy);
        fail("stop", error);
    }
    mcpproxy_string_free(error);
    mcpproxy_destroy(proxy);
    printf("stopped\n");
    return stopped_by_itself ? 1 : 0;
}
