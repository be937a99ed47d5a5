#!/usr/bin/env bash
# End-to-end benchmark of mcp-proxy against a direct connection and a plain relay, in one run.
#
#   Scripts/bench.sh                 stdio: direct, socat relay and proxy, alternately, pinned to one CPU,
#                                    one request at a time, then --concurrency requests in flight on one pipe
#   Scripts/bench.sh --http          also Streamable HTTP: direct, nginx proxy_pass and the proxy's HTTP front
#   Scripts/bench.sh --micro         also the in-process microbenchmarks (swift package benchmark)
#   Scripts/bench.sh --profile       also callgrind instruction counts and top functions of the hot path
#   Scripts/bench.sh --quick         smoke run for CI: tiny counts, debug build, numbers not judged
#
# Options:
#   --rounds N          rounds of the A B C alternation (default 5; quick 2)
#   --requests N        measured stdio requests per run (default 20000; quick 200)
#   --warmup N          warm-up requests per run (default 2000; quick 20)
#   --http-requests N   measured HTTP requests per run (default 100000; quick 500)
#   --concurrency N     HTTP clients, and stdio requests in flight (default 64; quick 4)
#   --sessions N        sessions held open for the memory measurement (default 1000; quick 20)
#   --http-upstream K   how the proxy reaches the fast upstream in --http: both (default: a proxy with the
#                       Streamable HTTP upstream, like nginx, and one with a shared stdio upstream,
#                       the target "proxy-stdio", alternating in one run), http or stdio (one proxy)
#   --http-path P       path of the proxy's MCP endpoint (default /mcp)
#   --scratch-path P    SwiftPM build folder (default .build), e.g. .build-release to keep a
#                       release build beside the debug one
#   --http-auth         in --http, also a proxy with proxy.auth (HS256 JWT) and an authorization
#                       rule, every request carrying a bearer token: the target "proxy-jwt"
#   -c, --configuration debug|release   build configuration (default release; quick debug)
#   --no-build          use binaries already built
#   --cpu N             CPU for the stdio chain (default 0); HTTP puts the load on --cpu and servers on the other
#   --check             exit 1 when a target is missed (default: report only)
#   --out DIR           keep raw JSON lines and logs in DIR (default: a temp dir, removed at exit)
#
# Method (shared/docs/benchmarking.md; Benchmarks/README.md): every process of a latency measurement
# is pinned to one CPU with taskset; direct, relay and proxy run alternately in each round (the
# order rotates); results are medians over rounds, with the spread; ratios are taken within the
# run. Installs socat (and nginx with --http) with apt-get when missing and running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

QUICK=0; HTTP=0; MICRO=0; PROFILE=0; BUILD=1; CHECK=0
ROUNDS=""; REQUESTS=""; WARMUP=""; HTTP_REQUESTS=""; CONCURRENCY=""; SESSIONS=""; CONFIGURATION=""
HTTP_UPSTREAM=both; HTTP_PATH=/mcp; HTTP_AUTH=0; CPU=0; OUT=""; SCRATCH=()

die() { echo "bench.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --http) HTTP=1 ;;
        --micro) MICRO=1 ;;
        --profile) PROFILE=1 ;;
        --no-build) BUILD=0 ;;
        --check) CHECK=1 ;;
        --rounds) ROUNDS=${2:?}; shift ;;
        --requests) REQUESTS=${2:?}; shift ;;
        --warmup) WARMUP=${2:?}; shift ;;
        --http-requests) HTTP_REQUESTS=${2:?}; shift ;;
        --concurrency) CONCURRENCY=${2:?}; shift ;;
        --sessions) SESSIONS=${2:?}; shift ;;
        --http-upstream) HTTP_UPSTREAM=${2:?}; shift ;;
        --http-path) HTTP_PATH=${2:?}; shift ;;
        --http-auth) HTTP_AUTH=1 ;;
        --scratch-path) SCRATCH=(--scratch-path "${2:?}"); shift ;;
        -c|--configuration) CONFIGURATION=${2:?}; shift ;;
        --cpu) CPU=${2:?}; shift ;;
        --out) OUT=${2:?}; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done
[[ $HTTP_UPSTREAM == both || $HTTP_UPSTREAM == http || $HTTP_UPSTREAM == stdio ]] || die "--http-upstream is both, http or stdio"

if [[ $QUICK == 1 ]]; then
    : "${ROUNDS:=2}" "${REQUESTS:=200}" "${WARMUP:=20}" "${HTTP_REQUESTS:=500}" "${CONCURRENCY:=4}" "${SESSIONS:=20}" "${CONFIGURATION:=debug}"
else
    : "${ROUNDS:=5}" "${REQUESTS:=20000}" "${WARMUP:=2000}" "${HTTP_REQUESTS:=100000}" "${CONCURRENCY:=64}" "${SESSIONS:=1000}" "${CONFIGURATION:=release}"
fi

# ---- workspace and cleanup -------------------------------------------------------------------
KEEP_OUT=1
if [[ -z $OUT ]]; then OUT=$(mktemp -d "${TMPDIR:-/tmp}/mcp-bench.XXXXXX"); KEEP_OUT=0; fi
mkdir -p "$OUT"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ $KEEP_OUT == 0 ]]; then rm -rf "$OUT"; fi
}
trap cleanup EXIT

# ---- tools -----------------------------------------------------------------------------------
need_package() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "== installing $2"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    fi
    command -v "$1" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$1" >/dev/null 2>&1 \
        || { echo "bench.sh: $1 is missing: install $2 (apt-get install $2)" >&2; return 1; }
}
need_package python3 python3 || exit 2
RELAY=1
if [[ $QUICK == 1 ]]; then
    # The smoke run checks the tools, not the numbers: without socat it skips the relay.
    need_package socat socat || { echo "bench.sh: socat unavailable; the quick run skips the relay" >&2; RELAY=0; }
else
    need_package socat socat || exit 2
fi
[[ $QUICK == 1 ]] && HTTP=1
NGINX=$HTTP
if [[ $HTTP == 1 ]]; then
    PATH=$PATH:/usr/sbin
    if [[ $QUICK == 1 ]]; then
        need_package nginx nginx || { echo "bench.sh: nginx unavailable; the quick run skips it" >&2; NGINX=0; }
    else
        need_package nginx nginx || exit 2
    fi
fi
PIN=(); PIN_SERVER=()
if command -v taskset >/dev/null; then
    OTHER_CPU=$(( CPU == 0 ? 1 : 0 ))
    PIN=(taskset -c "$CPU"); PIN_SERVER=(taskset -c "$OTHER_CPU")
else
    echo "bench.sh: taskset not found (util-linux); running unpinned, latencies will be noisier" >&2
fi

# ---- build -----------------------------------------------------------------------------------
if [[ $BUILD == 1 ]]; then
    for product in mcp-proxy fast-upstream mcp-bench; do
        echo "== swift build -c $CONFIGURATION --product $product"
        swift build "${SCRATCH[@]}" -c "$CONFIGURATION" --product "$product" 2>&1 | grep -E "error|warning: |Compiling|Build" | grep -v "^\[" || true
    done
    if [[ $QUICK == 1 || $MICRO == 1 || $PROFILE == 1 ]]; then
        for product in ProxyBenchmarks hot-path-profile; do
            echo "== swift build -c $CONFIGURATION --product $product"
            swift build "${SCRATCH[@]}" -c "$CONFIGURATION" --product "$product" 2>&1 | grep -E "error|warning: " || true
        done
    fi
fi
BIN=$(swift build "${SCRATCH[@]}" -c "$CONFIGURATION" --show-bin-path)
for binary in mcp-proxy fast-upstream mcp-bench; do
    [[ -x $BIN/$binary ]] || die "$BIN/$binary is missing; build it (swift build -c $CONFIGURATION --product $binary) or drop --no-build"
done
FAST=$BIN/fast-upstream
BENCH=$BIN/mcp-bench
PROXY=$BIN/mcp-proxy
printf '{"mcpServers":{"fast":{"command":"%s","args":[]}}}\n' "$FAST" > "$OUT/fast-stdio.json"

echo "== machine: $(nproc) CPUs, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')"
echo "== build: $CONFIGURATION ($BIN)"

# ---- in-process microbenchmarks --------------------------------------------------------------
PROFILE_MODES=(scan routes request roundtrip proxy)
if [[ $QUICK == 1 ]]; then
    echo "== microbenchmarks (MCP_BENCH_QUICK=1: a few iterations each, numbers not meaningful)"
    MCP_BENCH_QUICK=1 "$BIN/ProxyBenchmarks" > "$OUT/micro.txt" 2>&1 || { cat "$OUT/micro.txt"; die "ProxyBenchmarks failed"; }
    ran=$(grep -ac "^Debug results for" "$OUT/micro.txt" || true)
    grep -aqi "error" "$OUT/micro.txt" && { grep -ai "error" "$OUT/micro.txt" >&2; die "a microbenchmark reported an error"; }
    echo "   $ran benchmarks ran"
    [[ $ran -ge 11 ]] || die "expected 11 microbenchmarks, $ran ran"
    for mode in "${PROFILE_MODES[@]}"; do
        "$BIN/hot-path-profile" "$mode" 2000 > /dev/null || die "hot-path-profile $mode failed"
    done
    echo "   hot-path-profile: ${PROFILE_MODES[*]} ran"
elif [[ $MICRO == 1 ]]; then
    echo "== microbenchmarks: swift package benchmark --target ProxyBenchmarks"
    swift package benchmark --target ProxyBenchmarks --time-units nanoseconds
    echo "== hot-path-profile, 1,000,000 operations each, pinned: ${PIN[*]:-no}"
    for mode in "${PROFILE_MODES[@]}"; do
        "${PIN[@]}" "$BIN/hot-path-profile" "$mode" 1000000 | sed 's/^/   /'
    done
fi
if [[ $PROFILE == 1 ]]; then
    need_package valgrind valgrind || exit 2
    # valgrind 3.19 cannot read the DWARF 5 the Swift toolchain writes: profile a copy without it.
    cp "$BIN/hot-path-profile" "$OUT/hot-path-profile.nodebug"
    objcopy --strip-debug "$OUT/hot-path-profile.nodebug"
    for mode in request proxy; do
        iterations=20000
        echo "== callgrind: hot-path-profile $mode $iterations (instructions inside profiledLoop)"
        valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$mode.out" --toggle-collect='*profiledLoop*' \
            "$OUT/hot-path-profile.nodebug" "$mode" "$iterations" > "$OUT/callgrind.$mode.log" 2>&1 \
            || { tail -5 "$OUT/callgrind.$mode.log" >&2; die "callgrind failed (log: $OUT/callgrind.$mode.log)"; }
        collected=$(grep -oE 'Collected : [0-9]+' "$OUT/callgrind.$mode.log" | grep -oE '[0-9]+$')
        echo "   $((collected / iterations)) instructions per operation; top functions (self cost):"
        callgrind_annotate "$OUT/callgrind.$mode.out" 2>/dev/null | grep -E '^ *[0-9,]+ +\(' | sed -n '2,16p' \
            | sed 's/  */ /g' | swift demangle --simplified | cut -c1-160 | sed 's/^/   /'
    done
fi

# ---- stdio: direct, relay, proxy; one request at a time, then --concurrency in flight ---------
run_stdio() { # in-flight jsonl label command...
    local inflight=$1 jsonl=$2 label=$3; shift 3
    "${PIN[@]}" "$BENCH" stdio --target "$label" -n "$REQUESTS" -c "$inflight" --warmup "$WARMUP" --quiet --silence-target -- "$@" \
        >> "$OUT/$jsonl" 2>> "$OUT/stdio.log" || { tail -5 "$OUT/stdio.log" >&2; die "the $label run ($inflight in flight) failed (log: $OUT/stdio.log)"; }
}
stdio_rounds() { # in-flight jsonl title
    echo "== stdio, $3: $ROUNDS rounds x (direct, relay, proxy), $REQUESTS calls each, pinned: ${PIN[*]:-no}"
    local order=(direct relay proxy) round label
    [[ $RELAY == 1 ]] || order=(direct proxy)
    for ((round = 1; round <= ROUNDS; round++)); do
        for label in "${order[@]}"; do
            case $label in
                direct) run_stdio "$1" "$2" direct "$FAST" ;;
                relay) run_stdio "$1" "$2" relay socat -b 1048576 - "EXEC:$FAST,pipes" ;;
                proxy) run_stdio "$1" "$2" proxy "$PROXY" --config "$OUT/fast-stdio.json" --log-level error ;;
            esac
        done
        order=("${order[@]:1}" "${order[0]}")
        echo "   round $round done"
    done
}
stdio_rounds 1 stdio.jsonl "one request at a time"
stdio_rounds "$CONCURRENCY" stdio-load.jsonl "$CONCURRENCY requests in flight"

# ---- Streamable HTTP: direct, nginx, proxy ---------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # port seconds
    local deadline=$((SECONDS + $2))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
anon_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

if [[ $HTTP == 1 ]]; then
    UP_PORT=$(free_port); NGINX_PORT=$(free_port); PROXY_PORT=$(free_port)
    "${PIN_SERVER[@]}" "$FAST" --http "$UP_PORT" > "$OUT/fast-http.log" 2>&1 &
    FAST_PID=$!; PIDS+=("$FAST_PID")
    wait_port "$UP_PORT" 20 || die "fast-upstream --http did not start (log: $OUT/fast-http.log)"

    if [[ $NGINX == 1 ]]; then
    mkdir -p "$OUT/nginx"
    cat > "$OUT/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $OUT/nginx/body;
    proxy_temp_path $OUT/nginx/proxy;
    fastcgi_temp_path $OUT/nginx/fastcgi;
    uwsgi_temp_path $OUT/nginx/uwsgi;
    scgi_temp_path $OUT/nginx/scgi;
    upstream fast { server 127.0.0.1:$UP_PORT; keepalive 256; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        keepalive_requests 1000000;
        location / {
            proxy_pass http://fast;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
    "${PIN_SERVER[@]}" nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" > "$OUT/nginx/stdout.log" 2>&1 &
    NGINX_PID=$!; PIDS+=("$NGINX_PID")
    wait_port "$NGINX_PORT" 20 || die "nginx did not start (log: $OUT/nginx/error.log)"
    fi

        if [[ $HTTP_UPSTREAM == stdio ]]; then
            cp "$OUT/fast-stdio.json" "$OUT/fast-http.json"
        else
            printf '{"mcpServers":{"fast":{"url":"http://127.0.0.1:%s/mcp"}}}\n' "$UP_PORT" > "$OUT/fast-http.json"
        fi
        cp "$OUT/fast-stdio.json" "$OUT/fast-http-stdio.json"
        # Every benchmark connection comes from 127.0.0.1: lift the per-address cap (default 256)
        # so that the 1,000-session memory run can open them all.
        python3 - "$OUT/fast-http.json" "$OUT/fast-http-stdio.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    config = json.load(open(path))
    config["proxy"] = {"listen": {"maxConnectionsPerAddress": 100000}, "limits": {"maxSessionsPerPrincipal": 100000}}
    json.dump(config, open(path, "w"))
PY
        "${PIN_SERVER[@]}" "$PROXY" serve --config "$OUT/fast-http.json" --listen "127.0.0.1:$PROXY_PORT" --log-level error \
            > "$OUT/proxy-http.log" 2>&1 &
        PROXY_PID=$!; PIDS+=("$PROXY_PID")
        wait_port "$PROXY_PORT" 30 || { tail -5 "$OUT/proxy-http.log" >&2; die "mcp-proxy serve did not listen on $PROXY_PORT (log: $OUT/proxy-http.log)"; }
        sleep 0.5
        PROXY_IDLE_RSS=$(rss_kb "$PROXY_PID")
        PROXY_IDLE_ANON=$(anon_kb "$PROXY_PID")

        if [[ $HTTP_UPSTREAM == both ]]; then
            # The same front with one shared stdio fast-upstream behind it.
            PROXY_STDIO_PORT=$(free_port)
            "${PIN_SERVER[@]}" "$PROXY" serve --config "$OUT/fast-http-stdio.json" --listen "127.0.0.1:$PROXY_STDIO_PORT" --log-level error \
                > "$OUT/proxy-http-stdio.log" 2>&1 &
            PROXY_STDIO_PID=$!; PIDS+=("$PROXY_STDIO_PID")
            wait_port "$PROXY_STDIO_PORT" 30 || { tail -5 "$OUT/proxy-http-stdio.log" >&2; die "mcp-proxy serve (stdio upstream) did not listen on $PROXY_STDIO_PORT"; }
        fi

        if [[ $HTTP_AUTH == 1 ]]; then
            # The same upstream behind a proxy that verifies a JWT on every request (HS256; the
            # token is verified once and then served from the token cache) and authorizes it.
            PROXY_JWT_PORT=$(free_port)
            python3 - "$OUT/fast-http.json" "$OUT/fast-http-jwt.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["proxy"] = dict(config.get("proxy", {}), **{
    "auth": {"resource": "http://127.0.0.1/mcp",
             "jwt": {"issuer": "bench", "secret": "bench-secret-bench-secret-bench-secret-0123"}},
    "authorization": {"default": "deny", "rules": [{"roles": ["bench"], "tools": {"allow": ["*echo*"]}}]},
})
json.dump(config, open(sys.argv[2], "w"))
PY
            BEARER=$("$PROXY" token --config "$OUT/fast-http-jwt.json" --subject bench --role bench --ttl 86400)
            "${PIN_SERVER[@]}" "$PROXY" serve --config "$OUT/fast-http-jwt.json" --listen "127.0.0.1:$PROXY_JWT_PORT" --log-level error \
                > "$OUT/proxy-http-jwt.log" 2>&1 &
            PROXY_JWT_PID=$!; PIDS+=("$PROXY_JWT_PID")
            wait_port "$PROXY_JWT_PORT" 30 || { tail -5 "$OUT/proxy-http-jwt.log" >&2; die "mcp-proxy serve (JWT) did not listen on $PROXY_JWT_PORT"; }
        fi

    run_http() { # label url pid [bearer]
        local auth=()
        [[ -n ${4:-} ]] && auth=(--bearer "$4")
        "${PIN[@]}" "$BENCH" http --url "$2" --target "$1" -c "$CONCURRENCY" -n "$HTTP_REQUESTS" --warmup "$WARMUP" "${auth[@]}" \
            --quiet --pid "$3" >> "$OUT/http.jsonl" 2>> "$OUT/http.log" || { tail -5 "$OUT/http.log" >&2; die "the HTTP $1 run failed"; }
    }
    order=(direct nginx proxy)
    [[ $NGINX == 1 ]] || order=(direct proxy)
    [[ $HTTP_UPSTREAM == both ]] && order+=(proxy-stdio)
    [[ $HTTP_AUTH == 1 ]] && order+=(proxy-jwt)
    echo "== Streamable HTTP, $CONCURRENCY clients: $ROUNDS rounds x (${order[*]}), $HTTP_REQUESTS calls each; load on CPU $CPU, servers on the other"
    for ((round = 1; round <= ROUNDS; round++)); do
        for label in "${order[@]}"; do
            case $label in
                direct) run_http direct "http://127.0.0.1:$UP_PORT/mcp" "$FAST_PID" ;;
                nginx) run_http nginx "http://127.0.0.1:$NGINX_PORT/mcp" "$NGINX_PID" ;;
                proxy) run_http proxy "http://127.0.0.1:$PROXY_PORT$HTTP_PATH" "$PROXY_PID" ;;
                proxy-stdio) run_http proxy-stdio "http://127.0.0.1:$PROXY_STDIO_PORT$HTTP_PATH" "$PROXY_STDIO_PID" ;;
                proxy-jwt) run_http proxy-jwt "http://127.0.0.1:$PROXY_JWT_PORT$HTTP_PATH" "$PROXY_JWT_PID" "$BEARER" ;;
            esac
        done
        order=("${order[@]:1}" "${order[0]}")
        echo "   round $round done"
    done
    echo "{\"target\":\"proxy\",\"mode\":\"idle\",\"rss_kb\":$PROXY_IDLE_RSS,\"anon_kb\":$PROXY_IDLE_ANON}" >> "$OUT/sessions.jsonl"
    echo "== memory: $SESSIONS open sessions on a fresh proxy"
    # A fresh proxy, so that the load runs' sessions (kept until their idle expiry) do not count.
    # The old one drains its sessions before it exits: wait for it (at most 15 s), and listen on a
    # port of its own anyway, so that the sessions never reach a proxy that is shutting down.
    kill "$PROXY_PID" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
    PROXY_PORT=$(free_port)
    "${PIN_SERVER[@]}" "$PROXY" serve --config "$OUT/fast-http.json" --listen "127.0.0.1:$PROXY_PORT" --log-level error \
        > "$OUT/proxy-sessions.log" 2>&1 &
    PROXY_PID=$!; PIDS+=("$PROXY_PID")
    wait_port "$PROXY_PORT" 30 || { tail -5 "$OUT/proxy-sessions.log" >&2; die "mcp-proxy serve did not listen on $PROXY_PORT"; }
    "$BENCH" sessions --url "http://127.0.0.1:$PROXY_PORT$HTTP_PATH" --target proxy --count "$SESSIONS" --hold 0 \
        --pid "$PROXY_PID" >> "$OUT/sessions.jsonl" 2>> "$OUT/http.log" \
        || { tail -5 "$OUT/http.log" "$OUT/proxy-sessions.log" >&2; die "opening $SESSIONS sessions failed"; }
fi

# ---- report ----------------------------------------------------------------------------------
python3 - "$OUT" "$QUICK" "$CHECK" <<'PY'
import json, os, statistics, sys
out, quick, check = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"

def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]

def med(values):
    return statistics.median(values) if values else float("nan")

def spread(values, digits=1):
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}" if values else "-"

missed = []
stdio = load("stdio.jsonl")
if stdio:
    by = {}
    for row in stdio:
        by.setdefault(row["target"], []).append(row)
    print()
    print("stdio, one request at a time (%d calls of %d B per run); medians over rounds, spread min-max" %
          (stdio[0]["requests"], stdio[0]["payload_bytes"]))
    print(f"{'target':<8} {'rounds':>6} {'p50 µs':>8} {'spread':>13} {'mean µs':>8} {'p99 µs':>8} {'req/s':>8} {'errors':>6}")
    for target in ("direct", "relay", "proxy"):
        rows = by.get(target, [])
        if not rows:
            continue
        p50 = [r["p50_us"] for r in rows]
        print(f"{target:<9} {len(rows):>6} {med(p50):>8.1f} {spread(p50):>13} {med([r['mean_us'] for r in rows]):>8.1f} "
              f"{med([r['p99_us'] for r in rows]):>8.1f} {med([r['req_per_s'] for r in rows]):>8.0f} {sum(r['errors'] for r in rows):>6}")
    if all(t in by for t in ("direct", "relay", "proxy")):
        rounds = min(len(by[t]) for t in ("direct", "relay", "proxy"))
        ratios, ratios_mean = [], []
        for i in range(rounds):
            d, r, p = (by[t][i] for t in ("direct", "relay", "proxy"))
            if r["p50_us"] > d["p50_us"]:
                ratios.append((p["p50_us"] - d["p50_us"]) / (r["p50_us"] - d["p50_us"]))
            if r["mean_us"] > d["mean_us"]:
                ratios_mean.append((p["mean_us"] - d["mean_us"]) / (r["mean_us"] - d["mean_us"]))
        d50, r50, p50 = (med([x["p50_us"] for x in by[t]]) for t in ("direct", "relay", "proxy"))
        added_proxy, added_relay = p50 - d50, r50 - d50
        ratio = added_proxy / added_relay if added_relay > 0 else float("inf")
        print(f"added p50 latency: proxy {added_proxy:.1f} µs, relay {added_relay:.1f} µs over direct")
        verdict = "not judged in quick mode" if quick else ("met" if ratio <= 1.3 else "MISSED")
        print(f"ratio proxy/relay of added p50: {ratio:.2f} (per round: {spread(ratios, 2) if ratios else '-'}; "
              f"same on means: {med(ratios_mean):.2f}); target <= 1.30: {verdict}")
        print(f"proxy/direct p50: {p50 / d50:.2f}x, relay/direct p50: {r50 / d50:.2f}x")
        if ratio > 1.3:
            missed.append("stdio added latency")
    proxy_rows = by.get("proxy", [])
    if proxy_rows:
        print(f"proxy memory (stdio, one session): idle RSS {med([r['idle_rss_kb'] for r in proxy_rows]) / 1024:.1f} MiB, "
              f"peak RSS (VmHWM) {med([r['peak_rss_kb'] for r in proxy_rows]) / 1024:.1f} MiB "
              f"(max over runs {max(r['peak_rss_kb'] for r in proxy_rows) / 1024:.1f} MiB)")

load_rows = load("stdio-load.jsonl")
if load_rows:
    by = {}
    for row in load_rows:
        by.setdefault(row["target"], []).append(row)
    print()
    print("stdio, %d requests in flight on one pipe (%d calls per run); medians over rounds" %
          (load_rows[0]["concurrency"], load_rows[0]["requests"]))
    print(f"{'target':<8} {'rounds':>6} {'req/s':>9} {'spread':>15} {'p50 µs':>8} {'p99 µs':>8} {'errors':>6}")
    for target in ("direct", "relay", "proxy"):
        rows = by.get(target, [])
        if not rows:
            continue
        rate = [r["req_per_s"] for r in rows]
        print(f"{target:<9} {len(rows):>6} {med(rate):>9.0f} {spread(rate, 0):>15} {med([r['p50_us'] for r in rows]):>8.1f} "
              f"{med([r['p99_us'] for r in rows]):>8.1f} {sum(r['errors'] for r in rows):>6}")
    if "direct" in by and "proxy" in by:
        share = med([r["req_per_s"] for r in by["proxy"]]) / med([r["req_per_s"] for r in by["direct"]])
        verdict = "not judged in quick mode" if quick else ("met" if share >= 0.25 else "MISSED")
        print(f"proxy/direct throughput: {share:.2f}x; target >= 0.25: {verdict}")
        if not quick and share < 0.25:
            missed.append("stdio throughput under load")

http = load("http.jsonl")
if http:
    by = {}
    for row in http:
        by.setdefault(row["target"], []).append(row)
    print()
    print("Streamable HTTP, %d clients, %d calls per run; medians over rounds" % (http[0]["concurrency"], http[0]["requests"]))
    print(f"{'target':<11} {'rounds':>6} {'req/s':>9} {'spread':>15} {'p50 µs':>8} {'p99 µs':>8} {'errors':>6} {'server RSS MiB':>15}")
    for target in ("direct", "nginx", "proxy", "proxy-stdio", "proxy-jwt"):
        rows = by.get(target, [])
        if not rows:
            continue
        rps = [r["req_per_s"] for r in rows]
        rss = [r.get("peak_rss_kb", 0) / 1024 for r in rows]
        print(f"{target:<11} {len(rows):>6} {med(rps):>9.0f} {spread(rps):>15} {med([r['p50_us'] for r in rows]):>8.1f} "
              f"{med([r['p99_us'] for r in rows]):>8.1f} {sum(r['errors'] for r in rows):>6} {max(rss):>15.1f}")
    if "proxy" in by and "proxy-jwt" in by:
        plain, jwt = med([r["req_per_s"] for r in by["proxy"]]), med([r["req_per_s"] for r in by["proxy-jwt"]])
        print(f"proxy with JWT auth and authorization / without: req/s {jwt / plain:.2f}")
    if "nginx" in by and "proxy" in by:
        n, p = med([r["req_per_s"] for r in by["nginx"]]), med([r["req_per_s"] for r in by["proxy"]])
        print(f"proxy/nginx req/s: {p / n:.2f}; p50 {med([r['p50_us'] for r in by['proxy']]) / med([r['p50_us'] for r in by['nginx']]):.2f}x, "
              f"p99 {med([r['p99_us'] for r in by['proxy']]) / med([r['p99_us'] for r in by['nginx']]):.2f}x nginx's")
    if "direct" in by and "proxy-stdio" in by:
        d, p = med([r["req_per_s"] for r in by["direct"]]), med([r["req_per_s"] for r in by["proxy-stdio"]])
        print(f"proxy-stdio (one shared stdio upstream) / the upstream's own HTTP server (direct) req/s: {p / d:.2f}")

sessions = load("sessions.jsonl")
for row in sessions:
    if row.get("mode") == "idle":
        print(f"proxy idle RSS (HTTP front, no sessions): {row['rss_kb'] / 1024:.1f} MiB, "
              f"of which anonymous {row.get('anon_kb', 0) / 1024:.1f} MiB (the rest is shared libraries)")
    else:
        extra = ""
        if "rss_kb" in row:
            per = (row["rss_kb"] - row.get("rss_before_kb", 0)) / max(row["sessions"], 1)
            extra = (f"; server RSS {row.get('rss_before_kb', 0) / 1024:.1f} MiB before, {row['rss_kb'] / 1024:.1f} MiB "
                     f"with them open ({per:.1f} KiB a session; anonymous {row.get('anon_kb', 0) / 1024:.1f} MiB)")
        print(f"sessions ({row['target']}): {row['sessions']} of {row['requested']} open in {row['open_s']} s, {row['errors']} errors{extra}")

if quick:
    print("\nquick mode: the tools ran end to end; numbers are not judged")
    sys.exit(0)
if missed and check:
    print("missed: " + ", ".join(missed))
    sys.exit(1)
PY
[[ $KEEP_OUT == 1 ]] && echo "raw results: $OUT"
exit 0
