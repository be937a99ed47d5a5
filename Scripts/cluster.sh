#!/usr/bin/env bash
# A local cluster of mcp-proxy replicas (issue #16): one redis-server, N replicas of
# `mcp-proxy serve` with the same proxy.cluster session key, and nginx in front of them balancing
# every request round robin, with no stickiness. Everything listens on 127.0.0.1 and runs as the
# calling user; the state (configs, keys, logs, pid files) lives in one folder.
#
# Usage (from anywhere):
#   Scripts/cluster.sh up [N] [--config FILE]   start what is not running (N replicas, default 3),
#                                               wait until every part answers, print the URL
#   Scripts/cluster.sh status                   each part's pid and health; exit 1 if one is down
#   Scripts/cluster.sh down                     stop them all (the state folder stays, for its logs)
#
# `up` again after a part died (a replica killed, Redis stopped) starts only that part, on the
# same ports and with the same session key, so sessions opened before go on working.
#
# Upstreams: without --config the replicas serve the repository's example server (tools
# example__echo, example__slow, ...) over stdio, and trust nginx's X-Forwarded-For
# (proxy.listen.trustedProxies: 127.0.0.1/32). With --config FILE, FILE (YAML or JSON, your
# usual mcp-proxy config) is the base: the script adds proxy.cluster (and refuses a FILE that
# already has one); the listen and admin addresses are given on the command line. Relative
# `command` paths in FILE are relative to the directory you run the script in.
#
# What each replica gets: `mcp-proxy serve --config STATE/config.yaml --listen 127.0.0.1:PORT
# --admin 127.0.0.1:ADMIN_PORT` with MCP_SESSION_KEY (STATE/session.key) and MCP_REPLICA_ID
# (replica-1 .. replica-N) in its environment; its admin listener serves /healthz, /readyz and
# /metrics (per-replica request counts), its log is STATE/replica-I/serve.log.
#
# Environment:
#   MCP_CLUSTER_DIR         the state folder (default: <repo>/.build-cluster, ignored by git)
#   MCP_CLUSTER_PORT        nginx's port (default 8800); replica I listens on PORT+I and its admin
#                           listener on PORT+100+I. `auto`: free ports for everything, Redis too
#   MCP_CLUSTER_REDIS_PORT  Redis's port (default 6390, or a free one with MCP_CLUSTER_PORT=auto)
#   MCP_PROXY_BIN           the mcp-proxy binary (default: .build/release/mcp-proxy, else
#                           .build/debug/mcp-proxy, else built with `swift build`)
#   EXAMPLE_SERVER_BIN      the example server (same search; only without --config)
#
# Needs redis-server and nginx (Debian's packages): installed with apt-get when missing (through
# sudo when not root).
set -euo pipefail

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: error: %s\n' "$*" >&2; exit 2; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${MCP_CLUSTER_DIR:-$repo_root/.build-cluster}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
env_file="$state/cluster.env"
start_timeout=30

usage() {
    sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------- processes and probes

# The pid in FILE when that process is alive, else nothing (and status 1).
alive_pid() {
    local file=$1 pid
    [ -f "$file" ] || return 1
    pid="$(cat "$file" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [ -r "/proc/$pid/stat" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat")" = "Z" ]; then
        return 1
    fi
    printf '%s
' "$pid"
}

# Like alive_pid, and the process is still the cluster's part (its command line says so), not
# another process that got the pid of one that died long ago.
live_pid() {
    local file=$1 pid expected
    pid="$(alive_pid "$file")" || return 1
    case "$file" in
        */redis/pid) expected="redis-server" ;;
        */nginx/pid) expected="$state/nginx/nginx.conf" ;;
        *) expected="serve --config ${CONFIG:-}" ;;
    esac
    if [ -r "/proc/$pid/cmdline" ]; then
        local command_line
        command_line="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
        [[ "$command_line" == *"$expected"* ]] || return 1
    fi
    printf '%s\n' "$pid"
}

# Starts a command in its own session, detached from this script's terminal and pipes; writes
# its pid to PIDFILE. Usage: spawn PIDFILE LOG DIR command args...
spawn() {
    local pidfile=$1 log=$2 dir=$3
    shift 3
    local launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    (cd "$dir" && exec "${launcher[@]}" "$@" </dev/null >>"$log" 2>&1) &
    printf '%s\n' "$!" >"$pidfile"
}

# Whether something accepts connections on 127.0.0.1:PORT.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The HTTP status of GET http://127.0.0.1:PORT/PATH, or 000 when nothing answers.
http_status() {
    local port=$1 path=$2 line
    if command -v curl >/dev/null 2>&1; then
        curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port$path" || true
        return
    fi
    # shellcheck disable=SC2016 # the inner script expands its own arguments
    line="$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
        printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3
        IFS= read -r line <&3 && printf "%s" "$line"' "$port" "$path" 2>/dev/null || true)"
    if [[ "$line" =~ ^HTTP/[0-9.]+\ ([0-9]{3}) ]]; then printf '%s' "${BASH_REMATCH[1]}"; else printf '000'; fi
}

# Redis's answer to PING on PORT (PONG when it serves).
redis_ping() {
    # shellcheck disable=SC2016 # the inner script expands its own arguments
    timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
        printf "PING\r\n" >&3
        IFS= read -r line <&3 && printf "%s" "${line#+}" | tr -d "\r"' "$1" 2>/dev/null || true
}

# Whether the replica whose admin listener is on PORT reaches Redis: its gauge mcp_proxy_redis_up.
redis_link() {
    local value
    command -v curl >/dev/null 2>&1 || { printf '?'; return; }
    value="$(curl -s --max-time 2 "http://127.0.0.1:$1/metrics" | sed -n 's/^mcp_proxy_redis_up \([0-9]*\).*/\1/p' | head -n 1)"
    case "$value" in 1) printf 'up' ;; 0) printf 'down' ;; *) printf '?' ;; esac
}

# A free TCP port on 127.0.0.1, not one of the words in $taken, below the kernel's ephemeral
# range (the replicas' own outgoing connections take ports from that range, and could take the
# port between this check and the bind).
taken=""
free_port() {
    local port low=32768 high=60999 first=10000 span
    if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
        read -r low high </proc/sys/net/ipv4/ip_local_port_range
    fi
    span=$(( low - first ))
    if [ "$span" -lt 1000 ]; then first=$(( high + 1 )); span=$(( 65535 - high )); fi
    [ "$span" -ge 100 ] || die "no port range outside the ephemeral ports ($low-$high): set MCP_CLUSTER_PORT to a base port"
    while :; do
        port=$(( first + (RANDOM * 32768 + RANDOM) % span ))
        case " $taken " in *" $port "*) continue ;; esac
        port_open "$port" && continue
        taken="$taken $port"
        printf '%s\n' "$port"
        return
    done
}

# Dies when something already listens on PORT, which WHAT is about to take.
port_in_use() {
    if port_open "$1"; then
        die "127.0.0.1:$1, $2's port, is taken by another process (a part of this cluster whose pid file was lost, or something else): stop it, or '$0 down' and up again on other ports"
    fi
}

log_tail() {
    [ -f "$1" ] && tail -n 30 "$1" | sed 's/^/    /' >&2
    return 0
}

# ---------------------------------------------------------------- packages and binaries

find_program() {
    local name=$1
    command -v "$name" 2>/dev/null && return
    [ -x "/usr/sbin/$name" ] && { printf '/usr/sbin/%s\n' "$name"; return; }
    [ -x "/usr/bin/$name" ] && { printf '/usr/bin/%s\n' "$name"; return; }
    return 1
}

install_packages() {
    local missing=() sudo=()
    find_program redis-server >/dev/null || missing+=(redis-server)
    find_program nginx >/dev/null || missing+=(nginx)
    [ "${#missing[@]}" -eq 0 ] && return
    command -v apt-get >/dev/null 2>&1 || die "${missing[*]} missing and there is no apt-get: install them with your package manager"
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "${missing[*]} missing: install them (apt-get install ${missing[*]}) or run as root"
        sudo=(sudo)
        [ -t 0 ] || sudo=(sudo -n)
    fi
    say "installing ${missing[*]} (apt-get)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
        || die "apt-get update failed"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
}

# The binary NAME: from VARIABLE, else .build/release, else .build/debug, else built.
find_binary() {
    local variable=$1 name=$2 value=${!1:-}
    if [ -n "$value" ]; then
        [ -x "$value" ] || die "$variable=$value is not an executable file"
        (cd "$(dirname "$value")" && printf '%s/%s\n' "$(pwd)" "$(basename "$value")")
        return
    fi
    local candidate
    for candidate in "$repo_root/.build/release/$name" "$repo_root/.build/debug/$name"; do
        [ -x "$candidate" ] && { printf '%s\n' "$candidate"; return; }
    done
    say "no built $name: swift build --product $name" >&2
    (cd "$repo_root" && swift build --product "$name" >&2) || die "swift build --product $name failed"
    printf '%s\n' "$repo_root/.build/debug/$name"
}

# ---------------------------------------------------------------- configuration

yaml_quote() {
    local text=${1//\\/\\\\}
    printf '"%s"' "${text//\"/\\\"}"
}

# shellcheck disable=SC2016 # ${MCP_SESSION_KEY} and ${MCP_REPLICA_ID} are for mcp-proxy to expand
cluster_yaml() {
    local indent=$1
    printf '%scluster:   # added by Scripts/cluster.sh\n' "$indent"
    printf '%s  sessionKeys: ["${MCP_SESSION_KEY}"]\n' "$indent"
    printf '%s  redis: { url: "redis://127.0.0.1:%s/0", failOpen: local }\n' "$indent" "$REDIS_PORT"
    printf '%s  replicaId: "${MCP_REPLICA_ID}"\n' "$indent"
}

# Writes STATE/config.yaml (or .json) from the base config, or the default one.
write_config() {
    local base=$1
    if [ -z "$base" ]; then
        CONFIG="$state/config.yaml"
        {
            printf '# Written by Scripts/cluster.sh: what every replica serves. MCP_SESSION_KEY (session.key)\n'
            printf '# and MCP_REPLICA_ID (replica-1 ..) come from the script; the addresses from --listen/--admin.\n'
            printf 'mcpServers:\n'
            printf '  example:\n'
            printf '    command: %s\n' "$(yaml_quote "$EXAMPLE_BIN")"
            printf '    args: ["--name", "example"]\n'
            printf '    pool: { mode: shared, size: 1, max: 4 }\n'
            printf 'proxy:\n'
            printf '  listen:\n'
            printf '    trustedProxies: ["127.0.0.1/32"]   # nginx: its X-Forwarded-For names the client\n'
            cluster_yaml "  "
        } >"$CONFIG"
        return
    fi
    [ -f "$base" ] || die "--config $base: no such file"
    case "$base" in
        *.json)
            CONFIG="$state/config.json"
            command -v python3 >/dev/null 2>&1 || die "a JSON base config needs python3 to add proxy.cluster (or give a YAML file)"
            python3 - "$base" "$CONFIG" "$REDIS_PORT" <<'EOF' || die "cannot add proxy.cluster to $base (see above)"
import json, sys
base, out, port = sys.argv[1:]
with open(base) as f:
    document = json.load(f)
proxy = document.setdefault("proxy", {})
if not isinstance(proxy, dict) or "cluster" in proxy:
    sys.exit(f"{base}: remove proxy.cluster; Scripts/cluster.sh adds its own")
proxy["cluster"] = {"sessionKeys": ["${MCP_SESSION_KEY}"],
                    "redis": {"url": f"redis://127.0.0.1:{port}/0", "failOpen": "local"},
                    "replicaId": "${MCP_REPLICA_ID}"}
with open(out, "w") as f:
    json.dump(document, f, indent=2)
EOF
            ;;
        *)
            CONFIG="$state/config.yaml"
            local line number=0 proxy_line=0 indent=""
            while IFS= read -r line || [ -n "$line" ]; do
                number=$((number + 1))
                if [ "$proxy_line" -gt 0 ]; then
                    [[ "$line" =~ ^[^[:space:]#] ]] && break   # the next top-level key
                    if [ -z "$indent" ] && [[ "$line" =~ ^([[:space:]]+)[^[:space:]#] ]]; then
                        indent=${BASH_REMATCH[1]}
                    fi
                    if [ -n "$indent" ] && [[ "$line" == "${indent}cluster:"* ]]; then
                        die "$base:$number: remove proxy.cluster; Scripts/cluster.sh adds its own"
                    fi
                elif [[ "$line" =~ ^proxy:[[:space:]]*(#.*)?$ ]]; then
                    proxy_line=$number
                elif [[ "$line" =~ ^proxy: ]]; then
                    die "$base:$number: write proxy as a block mapping (one key a line) so that the script can add proxy.cluster"
                fi
            done <"$base"
            {
                printf '# Written by Scripts/cluster.sh from %s, with proxy.cluster added.\n' "$base"
                if [ "$proxy_line" -eq 0 ]; then
                    cat "$base"
                    printf '\nproxy:\n'
                    cluster_yaml "  "
                else
                    head -n "$proxy_line" "$base"
                    cluster_yaml "${indent:-  }"
                    tail -n "+$((proxy_line + 1))" "$base"
                fi
            } >"$CONFIG"
            ;;
    esac
}

write_nginx_conf() {
    local dir="$state/nginx" servers="" i port
    mkdir -p "$dir/temp"
    for i in $(seq 1 "$REPLICAS"); do
        port="REPLICA_${i}_PORT"
        servers+="        server 127.0.0.1:${!port} max_fails=1 fail_timeout=10s;"$'\n'
    done
    cat >"$dir/nginx.conf" <<EOF
# Written by Scripts/cluster.sh: round robin over the replicas, no stickiness.
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    log_format cluster '\$remote_addr [\$time_local] "\$request" \$status upstream=\$upstream_addr \$request_time';
    access_log $dir/access.log cluster;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
    upstream mcp_replicas {
        # Round robin (nginx's default). Per-session stdio upstreams (pool.mode: perSession)
        # would need the session pinned instead:
        # hash \$http_mcp_session_id consistent;
$servers        keepalive 16;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://mcp_replicas;
            proxy_http_version 1.1;
            proxy_set_header Host \$http_host;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_connect_timeout 2s;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            # nginx's default: a request goes to the next replica when it could not be sent;
            # POST and DELETE are never sent twice.
            proxy_next_upstream error timeout;
        }
    }
}
EOF
}

# ---------------------------------------------------------------- state

save_state() {
    local i port admin
    {
        printf 'REPLICAS=%q\n' "$REPLICAS"
        printf 'NGINX_PORT=%q\n' "$NGINX_PORT"
        printf 'REDIS_PORT=%q\n' "$REDIS_PORT"
        for i in $(seq 1 "$REPLICAS"); do
            port="REPLICA_${i}_PORT"; admin="REPLICA_${i}_ADMIN_PORT"
            printf 'REPLICA_%s_PORT=%q\nREPLICA_%s_ADMIN_PORT=%q\n' "$i" "${!port}" "$i" "${!admin}"
        done
        printf 'BASE_CONFIG=%q\n' "$BASE_CONFIG"
        printf 'CONFIG=%q\n' "$CONFIG"
        printf 'PROXY_BIN=%q\n' "$PROXY_BIN"
        printf 'WORKDIR=%q\n' "$WORKDIR"
    } >"$env_file"
}

load_state() {
    [ -f "$env_file" ] || return 1
    # shellcheck source=/dev/null
    . "$env_file"
}

any_running() {
    local i
    live_pid "$state/redis/pid" >/dev/null && return 0
    live_pid "$state/nginx/pid" >/dev/null && return 0
    for i in $(seq 1 "${REPLICAS:-0}"); do
        live_pid "$state/replica-$i/pid" >/dev/null && return 0
    done
    return 1
}

choose_ports() {
    local base=${MCP_CLUSTER_PORT:-8800} i
    if [ "$base" = auto ]; then
        NGINX_PORT=$(free_port)
        REDIS_PORT=${MCP_CLUSTER_REDIS_PORT:-$(free_port)}
        for i in $(seq 1 "$REPLICAS"); do
            printf -v "REPLICA_${i}_PORT" '%s' "$(free_port)"
            printf -v "REPLICA_${i}_ADMIN_PORT" '%s' "$(free_port)"
        done
    else
        if ! [[ "$base" =~ ^[0-9]+$ ]] || [ "$base" -lt 1024 ] || [ "$((base + 100 + REPLICAS))" -gt 65535 ]; then
            die "MCP_CLUSTER_PORT=$base: give a port from 1024 (replicas use the next ones, admin listeners +100), or auto"
        fi
        NGINX_PORT=$base
        REDIS_PORT=${MCP_CLUSTER_REDIS_PORT:-6390}
        for i in $(seq 1 "$REPLICAS"); do
            printf -v "REPLICA_${i}_PORT" '%s' "$((base + i))"
            printf -v "REPLICA_${i}_ADMIN_PORT" '%s' "$((base + 100 + i))"
        done
        local ports=("$NGINX_PORT" "$REDIS_PORT") port
        for i in $(seq 1 "$REPLICAS"); do ports+=("$((base + i))" "$((base + 100 + i))"); done
        for port in "${ports[@]}"; do
            if port_open "$port"; then
                die "port $port is in use: set MCP_CLUSTER_PORT to another base (or auto), or stop what listens there"
            fi
        done
    fi
    [[ "$REDIS_PORT" =~ ^[0-9]+$ ]] || die "MCP_CLUSTER_REDIS_PORT=$REDIS_PORT is not a port"
}

session_key() {
    local file="$state/session.key"
    if [ ! -s "$file" ]; then
        (umask 077
         if command -v openssl >/dev/null 2>&1; then
             openssl rand -base64 32 >"$file"
         else
             head -c 32 /dev/urandom | base64 >"$file"
         fi)
    fi
    tr -d '\n' <"$file"
}

# ---------------------------------------------------------------- parts

start_redis() {
    local dir="$state/redis" pid
    mkdir -p "$dir"
    if pid="$(live_pid "$dir/pid")"; then
        say "redis-server already running (pid $pid)"
        return
    fi
    port_in_use "$REDIS_PORT" redis-server
    cat >"$dir/redis.conf" <<EOF
# Written by Scripts/cluster.sh
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize no
dir $dir
save ""
appendonly no
logfile $dir/redis.log
EOF
    spawn "$dir/pid" "$dir/redis.stdout.log" "$dir" "$(find_program redis-server)" "$dir/redis.conf"
    local deadline=$((SECONDS + start_timeout))
    until [ "$(redis_ping "$REDIS_PORT")" = PONG ]; do
        alive_pid "$dir/pid" >/dev/null || { log_tail "$dir/redis.log"; die "redis-server exited (log: $dir/redis.log)"; }
        [ "$SECONDS" -lt "$deadline" ] || { log_tail "$dir/redis.log"; die "redis-server did not answer PING on $REDIS_PORT"; }
        sleep 0.1
    done
    say "redis-server on 127.0.0.1:$REDIS_PORT (pid $(cat "$dir/pid"))"
}

start_replica() {
    local i=$1 dir="$state/replica-$1" pid port admin
    port="REPLICA_${i}_PORT"; admin="REPLICA_${i}_ADMIN_PORT"
    mkdir -p "$dir"
    if pid="$(live_pid "$dir/pid")"; then
        say "replica-$i already running (pid $pid)"
        return
    fi
    port_in_use "${!port}" "replica-$i"
    port_in_use "${!admin}" "replica-$i's admin listener"
    printf '%q ' "$PROXY_BIN" serve --config "$CONFIG" --listen "127.0.0.1:${!port}" --admin "127.0.0.1:${!admin}" >"$dir/command"
    printf '\n' >>"$dir/command"
    MCP_SESSION_KEY="$KEY" MCP_REPLICA_ID="replica-$i" spawn "$dir/pid" "$dir/serve.log" "$WORKDIR" \
        "$PROXY_BIN" serve --config "$CONFIG" --listen "127.0.0.1:${!port}" --admin "127.0.0.1:${!admin}"
}

wait_replica() {
    local i=$1 dir="$state/replica-$1" port admin
    port="REPLICA_${i}_PORT"; admin="REPLICA_${i}_ADMIN_PORT"
    local deadline=$((SECONDS + start_timeout))
    until [ "$(http_status "${!admin}" /healthz)" = 200 ] && port_open "${!port}"; do
        alive_pid "$dir/pid" >/dev/null || { log_tail "$dir/serve.log"; die "replica-$i exited (log: $dir/serve.log)"; }
        [ "$SECONDS" -lt "$deadline" ] || { log_tail "$dir/serve.log"; die "replica-$i did not answer on ${!port} and ${!admin}/healthz within ${start_timeout}s"; }
        sleep 0.1
    done
    say "replica-$i on http://127.0.0.1:${!port}/mcp, admin http://127.0.0.1:${!admin} (pid $(cat "$dir/pid"))"
}

start_nginx() {
    local dir="$state/nginx" pid nginx
    nginx="$(find_program nginx)"
    if pid="$(live_pid "$dir/pid")"; then
        say "nginx already running (pid $pid)"
    else
        port_in_use "$NGINX_PORT" nginx
        write_nginx_conf
        "$nginx" -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" 2>"$dir/test.log" \
            || { log_tail "$dir/test.log"; die "nginx refused $dir/nginx.conf"; }
        spawn "$dir/pid" "$dir/nginx.stdout.log" "$dir" "$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
    fi
    local deadline=$((SECONDS + start_timeout)) status
    while :; do
        status="$(http_status "$NGINX_PORT" /mcp)"
        case "$status" in 000|502|503|504) ;; *) break ;; esac
        alive_pid "$dir/pid" >/dev/null || { log_tail "$dir/error.log"; die "nginx exited (log: $dir/error.log)"; }
        [ "$SECONDS" -lt "$deadline" ] || { log_tail "$dir/error.log"; die "nginx did not reach a replica on $NGINX_PORT (last status $status)"; }
        sleep 0.1
    done
    say "nginx on 127.0.0.1:$NGINX_PORT, round robin over $REPLICAS replicas (pid $(cat "$dir/pid"))"
}

# ---------------------------------------------------------------- commands

cmd_up() {
    local wanted=3 base=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --config) base=${2:?--config needs a file}; shift ;;
            --config=*) base=${1#--config=} ;;
            [0-9]*) [[ "$1" =~ ^[1-9][0-9]?$ ]] || die "N must be a number of replicas from 1 to 99, not $1"; wanted=$1 ;;
            *) die "unknown argument to up: $1 (see $0 help)" ;;
        esac
        shift
    done
    if [ -n "$base" ]; then
        [ -f "$base" ] || die "--config $base: no such file"
        base="$(cd "$(dirname "$base")" && pwd)/$(basename "$base")"
    fi
    install_packages
    if load_state && any_running; then
        if [ "$REPLICAS" != "$wanted" ] || [ "$BASE_CONFIG" != "$base" ]; then
            die "the cluster in $state runs with $REPLICAS replicas and config '${BASE_CONFIG:-the example server}': run '$0 down' first"
        fi
        say "state $state (starting what is not running)"
    else
        REPLICAS=$wanted
        BASE_CONFIG=$base
        WORKDIR="$(pwd)"
        PROXY_BIN="$(find_binary MCP_PROXY_BIN mcp-proxy)"
        [ -n "$base" ] || EXAMPLE_BIN="$(find_binary EXAMPLE_SERVER_BIN example-server)"
        choose_ports
        # A new cluster: the last one's logs and replica folders go (the session key stays).
        rm -rf "$state"/replica-* "$state/nginx" "$state/redis"
        write_config "$base"
        save_state
        say "state $state"
    fi
    KEY="$(session_key)"
    say "mcp-proxy: $PROXY_BIN ($("$PROXY_BIN" --version 2>/dev/null || echo 'version unknown'))"
    local problems
    if ! problems="$(MCP_SESSION_KEY="$KEY" MCP_REPLICA_ID=replica-1 "$PROXY_BIN" validate "$CONFIG" 2>&1)"; then
        printf '%s\n' "$problems" >&2
        die "mcp-proxy validate refused $CONFIG"
    fi
    start_redis
    local i
    for i in $(seq 1 "$REPLICAS"); do start_replica "$i"; done
    for i in $(seq 1 "$REPLICAS"); do wait_replica "$i"; done
    start_nginx
    say "ready: http://127.0.0.1:$NGINX_PORT/mcp (round robin over $REPLICAS replicas; '$0 status', '$0 down')"
}

stop_pidfile() {
    local file=$1 what=$2 pid
    if pid="$(live_pid "$file")"; then
        kill -TERM "$pid" 2>/dev/null || true
        printf '%s %s\n' "$pid" "$what"
    fi
    return 0
}

cmd_down() {
    load_state || { say "nothing to stop in $state"; return; }
    local stopping=() entry i
    mapfile -t stopping < <(
        stop_pidfile "$state/nginx/pid" nginx
        for i in $(seq 1 "$REPLICAS"); do stop_pidfile "$state/replica-$i/pid" "replica-$i"; done
        stop_pidfile "$state/redis/pid" redis-server
    )
    # Replicas drain requests in flight (proxy.listen.drainSeconds, 10 s by default) and give
    # their upstreams proxy.upstreams.shutdownGraceSeconds (5 s): wait up to 20 s, then SIGKILL.
    local deadline=$((SECONDS + 20))
    for entry in "${stopping[@]}"; do
        local pid=${entry%% *} what=${entry#* }
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
            say "stopped $what (pid $pid) with SIGKILL"
        else
            say "stopped $what (pid $pid)"
        fi
    done
    rm -f "$state/nginx/pid" "$state/redis/pid" "$state"/replica-*/pid
    [ "${#stopping[@]}" -gt 0 ] || say "nothing was running"
    say "logs stay in $state"
}

cmd_status() {
    load_state || { say "no cluster in $state ('$0 up' starts one)"; return 1; }
    local bad=0 pid i port admin health ready answer link
    if pid="$(live_pid "$state/redis/pid")"; then
        answer="$(redis_ping "$REDIS_PORT")"
        printf '%-10s pid %-8s 127.0.0.1:%-6s PING: %s\n' redis "$pid" "$REDIS_PORT" "${answer:-no answer}"
        [ "$answer" = PONG ] || bad=1
    else
        printf '%-10s %-12s 127.0.0.1:%-6s\n' redis "not running" "$REDIS_PORT"; bad=1
    fi
    for i in $(seq 1 "$REPLICAS"); do
        port="REPLICA_${i}_PORT"; admin="REPLICA_${i}_ADMIN_PORT"
        if pid="$(live_pid "$state/replica-$i/pid")"; then
            health="$(http_status "${!admin}" /healthz)"
            ready="$(http_status "${!admin}" /readyz)"
            link="$(redis_link "${!admin}")"
            printf '%-10s pid %-8s http://127.0.0.1:%s/mcp  /healthz %s  /readyz %s  Redis %s  (admin http://127.0.0.1:%s)\n' \
                "replica-$i" "$pid" "${!port}" "$health" "$ready" "$link" "${!admin}"
            [ "$health" = 200 ] || bad=1
        else
            printf '%-10s %-12s http://127.0.0.1:%s/mcp  (log: %s)\n' "replica-$i" "not running" "${!port}" "$state/replica-$i/serve.log"; bad=1
        fi
    done
    if pid="$(live_pid "$state/nginx/pid")"; then
        answer="$(http_status "$NGINX_PORT" /mcp)"
        printf '%-10s pid %-8s http://127.0.0.1:%s/mcp  (GET /mcp through it: %s)\n' nginx "$pid" "$NGINX_PORT" "$answer"
        case "$answer" in 000|502|503|504) bad=1 ;; esac
    else
        printf '%-10s %-12s http://127.0.0.1:%s/mcp\n' nginx "not running" "$NGINX_PORT"; bad=1
    fi
    return "$bad"
}

command=${1:-help}
[ $# -gt 0 ] && shift
case "$command" in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    help|-h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac
