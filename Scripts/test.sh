#!/usr/bin/env bash
# Runs every test: Swift unit and integration tests, then the Python interop suite
# (official MCP Python SDK and reference servers, installed into .venv-interop by
# Scripts/interop-setup.sh), then a 30 s soak (Scripts/soak.sh), then 30 s of each libFuzzer harness (Scripts/fuzz.sh; a crash or a
# slow input fails the run), then a smoke run of every benchmark (tiny counts, numbers not
# judged) so the benchmarks never rot. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift build (all products, tests and benchmarks)"
swift build --build-tests

echo "== swift test"
swift test --skip-build

echo "== interop: official MCP Python SDK and reference servers"
Scripts/interop-setup.sh
export MCP_PROXY_BIN="$PWD/.build/debug/mcp-proxy"
export EXAMPLE_SERVER_BIN="$PWD/.build/debug/example-server"
"${MCP_INTEROP_VENV:-$PWD/.venv-interop}/bin/python" -m pytest Tests/Interop -q

echo "== soak: 30 s of clients against healthy and faulty upstreams (Scripts/soak.sh)"
MCP_PROXY_BIN="$MCP_PROXY_BIN" EXAMPLE_SERVER_BIN="$EXAMPLE_SERVER_BIN" Scripts/soak.sh --no-build --seconds 30

echo "== fuzzing: 30 s per harness (Scripts/fuzz.sh)"
Scripts/fuzz.sh --seconds 30 all

echo "== benchmarks: smoke run (Scripts/bench.sh --quick)"
Scripts/bench.sh --quick --no-build
