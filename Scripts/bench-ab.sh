#!/usr/bin/env bash
# Compares two mcp-proxy binaries (a "before" and an "after") over Streamable HTTP in one run:
# each serves the same fast-upstream, the two are measured alternately, and medians are printed
# with the ratio taken within the run (Documentation: Benchmarks/README.md; the method of
# shared/docs/benchmarking.md: load on one CPU, servers on the other).
#
#   Scripts/bench-ab.sh BEFORE_BIN AFTER_BIN [--config-after FILE] [--rounds N] [-n N] [-c N]
#
#   --upstream stdio|http  how the proxies reach fast-upstream (default stdio: one shared session)
#   --config-after FILE    a JSON fragment merged into the "after" proxy's config (e.g. governance
#                          settings, to measure what they cost); default none: both run the same config
#   --path-after P         the after proxy's MCP path (default /mcp), e.g. a virtual endpoint
#   --fast PATH --bench PATH  fast-upstream and mcp-bench (default .build-release/release/)
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?before binary}; AFTER=${2:?after binary}; shift 2
ROUNDS=3; REQUESTS=50000; CONCURRENCY=64; UPSTREAM=stdio; EXTRA=""; PATH_AFTER=/mcp
FAST=.build-release/release/fast-upstream; BENCH=.build-release/release/mcp-bench
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift ;;
        -n) REQUESTS=$2; shift ;;
        -c) CONCURRENCY=$2; shift ;;
        --upstream) UPSTREAM=$2; shift ;;
        --config-after) EXTRA=$2; shift ;;
        --path-after) PATH_AFTER=$2; shift ;;
        --fast) FAST=$2; shift ;;
        --bench) BENCH=$2; shift ;;
        *) echo "bench-ab.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
OUT=$(mktemp -d "${TMPDIR:-/tmp}/bench-ab.XXXXXX")
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { local deadline=$((SECONDS + $2)); until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do ((SECONDS < deadline)) || return 1; sleep 0.1; done; }

UP_PORT=$(free_port)
if [[ $UPSTREAM == http ]]; then
    taskset -c 1 "$FAST" --http "$UP_PORT" > "$OUT/fast.log" 2>&1 & PIDS+=($!)
    wait_port "$UP_PORT" 20
    SERVER="{\"url\":\"http://127.0.0.1:$UP_PORT/mcp\"}"
else
    SERVER="{\"command\":\"$PWD/$FAST\",\"args\":[]}"
fi
python3 - "$OUT" "$SERVER" "$EXTRA" <<'PY'
import json, sys
out, server, extra = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
base = {"mcpServers": {"fast": server},
        "proxy": {"listen": {"maxConnectionsPerAddress": 100000}, "limits": {"maxSessionsPerPrincipal": 100000}}}
json.dump(base, open(f"{out}/before.json", "w"))
after = json.loads(json.dumps(base))
if extra:
    def merge(a, b):
        for k, v in b.items():
            if isinstance(v, dict) and isinstance(a.get(k), dict): merge(a[k], v)
            else: a[k] = v
    merge(after, json.load(open(extra)))
json.dump(after, open(f"{out}/after.json", "w"))
PY
declare -A PORT PID
for label in before after; do
    PORT[$label]=$(free_port)
    bin=$BEFORE; [[ $label == after ]] && bin=$AFTER
    taskset -c 1 "$bin" serve --config "$OUT/$label.json" --listen "127.0.0.1:${PORT[$label]}" --log-level error > "$OUT/$label.log" 2>&1 &
    PID[$label]=$!; PIDS+=($!)
    wait_port "${PORT[$label]}" 30 || { tail -5 "$OUT/$label.log" >&2; exit 1; }
done
echo "== $ROUNDS rounds x (before, after), $REQUESTS calls each, $CONCURRENCY clients; upstream $UPSTREAM"
order=(before after)
for ((round = 1; round <= ROUNDS; round++)); do
    for label in "${order[@]}"; do
        path=/mcp; [[ $label == after ]] && path=$PATH_AFTER
        taskset -c 0 "$BENCH" http --url "http://127.0.0.1:${PORT[$label]}$path" --target "$label" -c "$CONCURRENCY" -n "$REQUESTS" \
            --warmup 2000 --quiet --pid "${PID[$label]}" >> "$OUT/runs.jsonl" 2>> "$OUT/bench.log"
    done
    order=("${order[@]:1}" "${order[0]}")
done
python3 - "$OUT/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
rows = {}
for run in runs:
    rows.setdefault(run["target"], []).append(run)
med = {}
for target in ("before", "after"):
    rs = rows.get(target, [])
    rps = statistics.median(r["req_per_s"] for r in rs)
    p50 = statistics.median(r["p50_us"] for r in rs) / 1000
    p99 = statistics.median(r["p99_us"] for r in rs) / 1000
    errors = sum(r["errors"] for r in rs)
    med[target] = rps
    spread = [round(r["req_per_s"]) for r in rs]
    print(f"{target:7} {rps:10.0f} req/s  p50 {p50:.2f} ms  p99 {p99:.2f} ms  errors {errors}  (runs {spread})")
print(f"after/before {med['after'] / med['before']:.3f}")
PY
