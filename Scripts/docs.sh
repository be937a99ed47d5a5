#!/usr/bin/env bash
# Builds the DocC documentation of every library module with swift-docc-plugin, as static
# websites under .build/docs/<Module>/ with an index page at .build/docs/index.html, and
# prints how long each module and the whole run took. Not part of Scripts/test.sh.
#
#   Scripts/docs.sh                      # every module
#   Scripts/docs.sh MCPProxy MCPGateway  # some of them
#   Scripts/docs.sh --strict             # fail on any DocC warning (otherwise they are listed)
#   python3 -m http.server -d .build/docs 8000   # then open http://127.0.0.1:8000/
#
# Environment: DOCS_OUTPUT (default .build/docs), DOCS_BASE_PATH (a prefix for
# --hosting-base-path when the site is not served from its root, e.g. "mcp-proxy" for
# https://example.github.io/mcp-proxy/), DOCS_SCRATCH_PATH (a build folder other than .build).
set -euo pipefail
cd "$(dirname "$0")/.."

modules=(JSONRPC MCPTransports MCPRouting MCPStats MCPStatsMetrics MCPSecurity MCPReliability MCPPool MCPTracing MCPProxy MCPConfig MCPGateway)
strict=false
selected=()
for argument in "$@"; do
    case "$argument" in
        --strict) strict=true ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        -*) echo "docs.sh: unknown option $argument" >&2; exit 2 ;;
        *) selected+=("$argument") ;;
    esac
done
[ ${#selected[@]} -gt 0 ] && modules=("${selected[@]}")

output="${DOCS_OUTPUT:-.build/docs}"
base="${DOCS_BASE_PATH:-}"
scratch=()
[ -n "${DOCS_SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$DOCS_SCRATCH_PATH")
mkdir -p "$output"
log="$output/docc-warnings.log"
: > "$log"

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

start=$(seconds)
failed=()
for module in "${modules[@]}"; do
    module_start=$(seconds)
    lower=$(echo "$module" | tr '[:upper:]' '[:lower:]')
    rm -rf "${output:?}/$module"
    if ! swift package "${scratch[@]}" --allow-writing-to-directory "$output" \
        generate-documentation --target "$module" \
        --output-path "$output/$module" \
        --transform-for-static-hosting --hosting-base-path "${base:+$base/}$module" \
        >"$output/$module.log" 2>&1; then
        failed+=("$module")
    fi
    # DocC's diagnostics: "warning:" lines and the source lines they name.
    grep -E "(warning|error): " "$output/$module.log" | grep -v "^warning: '[^']*': found .* unhandled" \
        | sed "s|^|$module: |" >>"$log" || true
    count=$(grep -c "^$module: " "$log" || true)
    printf '%-16s %6ss  %s warning(s)  %s/%s/documentation/%s/\n' "$module" "$(elapsed "$module_start" "$(seconds)")" \
        "$count" "$output" "$module" "$lower"
done

# A landing page that links every module's documentation.
{
    echo '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mcp-proxy documentation</title>'
    echo '<meta name="viewport" content="width=device-width, initial-scale=1">'
    echo '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}li{margin:.3rem 0}</style></head><body>'
    echo '<h1>mcp-proxy documentation</h1><p>One DocC site per library module.</p><ul>'
    for module in "${modules[@]}"; do
        lower=$(echo "$module" | tr '[:upper:]' '[:lower:]')
        echo "<li><a href=\"$module/documentation/$lower/\">$module</a></li>"
    done
    echo '</ul></body></html>'
} >"$output/index.html"

total=$(grep -c . "$log" || true)
echo "docs: ${#modules[@]} module(s) in $(elapsed "$start" "$(seconds)")s; $total DocC diagnostic(s) (listed in $log); open $output/index.html"
if [ ${#failed[@]} -gt 0 ]; then
    echo "docs: generate-documentation failed for: ${failed[*]} (see $output/<Module>.log)" >&2
    exit 1
fi
if $strict && [ "$total" -gt 0 ]; then
    cat "$log" >&2
    exit 1
fi
