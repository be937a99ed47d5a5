#!/usr/bin/env bash
# Builds the embed-c example with gcc against the header and the built libmcpproxy.so.
#
#   Examples/embed-c/build.sh [OUTPUT]      (default OUTPUT: Examples/embed-c/embed-gateway)
#
# The library is taken from $MCPPROXY_LIBRARY (a path to libmcpproxy.so) if set, else from
# <repo>/.build/debug (build it first: swift build --product mcpproxy). The program finds it at
# run time through an rpath to that directory; its default config is gateway.yaml next to this
# script.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
output="${1:-$here/embed-gateway}"
if [ -n "${MCPPROXY_LIBRARY:-}" ]; then
    libdir="$(cd "$(dirname "$MCPPROXY_LIBRARY")" && pwd)"
else
    libdir="$repo/.build/debug"
fi
[ -f "$libdir/libmcpproxy.so" ] || {
    echo "build.sh: no libmcpproxy.so in $libdir: run 'swift build --product mcpproxy' or set MCPPROXY_LIBRARY" >&2
    exit 1
}
${CC:-gcc} -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 \
    -DEMBED_DEFAULT_CONFIG="\"$here/gateway.yaml\"" \
    -I "$repo/Sources/CMCPProxy/include" \
    -o "$output" "$here/main.c" \
    -L "$libdir" -lmcpproxy -Wl,-rpath,"$libdir"
echo "built $output (libmcpproxy from $libdir)"
