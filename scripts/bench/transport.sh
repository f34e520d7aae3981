#!/usr/bin/env bash
# Issue 3's benchmarks, called by run.sh (or alone): Kallad's transports (release build of kallad-bench) against
# their peers on 127.0.0.1, in the same run — SMTP to Postfix smtp-sink against smtp-source, webhooks to nginx
# (204) against `curl -Z --parallel-max 50`, RSS over 100,000 sends, and LeakSanitizer on a short run (valgrind
# 3.19 cannot read the DWARF 5 of Swift 6 binaries and stops inside a Swift async main, so the leak check uses an
# address-sanitized build in .build-asan instead).
# Prints one JSON object on stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES=${MESSAGES:-10000}
REQUESTS=${REQUESTS:-20000}
SENDS=${SENDS:-100000}
RUNS=${RUNS:-5}
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
missing=()
[ -x /usr/sbin/smtp-sink ] || missing+=(postfix)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v /usr/bin/time >/dev/null 2>&1 || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    echo "transport bench: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
scripts/release-build.sh kallad-bench >/dev/null
bench=.build/release/kallad-bench
swift build --product kallad-bench --sanitize=address --build-path .build-asan >/dev/null
asan=.build-asan/debug/kallad-bench
work=$(mktemp -d /tmp/kallad-transport-bench.XXXXXX)
chmod 755 "$work"
sink="" nginx=""
cleanup() {
    [ -n "$sink" ] && kill "$sink" 2>/dev/null || true
    [ -n "$nginx" ] && kill "$nginx" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }
wait_port() {
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "transport bench: nothing listens on $1" >&2
    return 1
}
# median of numbers on stdin
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# SMTP: smtp-sink, Kallad with 1 and 10 connections against smtp-source -d -s 1 / -s 10, same count and size.
sink_port=$(free_port)
as_nobody=(); [ "$(id -u)" -eq 0 ] && as_nobody=(-u nobody)
/usr/sbin/smtp-sink "${as_nobody[@]}" 127.0.0.1:"$sink_port" 256 >/dev/null 2>&1 &
sink=$!
wait_port "$sink_port"
size=$($bench smtp-size)
kallad_smtp() {  # connections → msg/s
    out=$($bench smtp "smtp://127.0.0.1:$sink_port" "$MESSAGES" "$1")
    [ "$(field "$out" delivered)" = "$MESSAGES" ] || {
        echo "transport bench: not all delivered: $out" >&2
        exit 1
    }
    field "$out" per_second
}
source_smtp() {  # sessions → msg/s
    start=$(date +%s.%N)
    /usr/sbin/smtp-source -d -s "$1" -m "$MESSAGES" -l "$size" 127.0.0.1:"$sink_port" >/dev/null
    end=$(date +%s.%N)
    python3 -c "print($MESSAGES / ($end - $start))"
}
# compare KALLAD PEER ARGUMENT: RUNS pairs, Kallad and its peer one after the other (so a change in the machine's
# load hits both), as JSON: medians and each pair's ratio.
compare() {
    for _ in $(seq "$RUNS"); do echo "$($1 "$3") $($2 "$3")"; done | python3 -c '
import json, statistics, sys
pairs = [tuple(map(float, line.split())) for line in sys.stdin if line.strip()]
print(json.dumps({"kallad": statistics.median(k for k, _ in pairs), "peer": statistics.median(p for _, p in pairs),
                  "ratios": [k / p for k, p in pairs]}))'
}
load_start=$(cut -d" " -f1 /proc/loadavg)
echo "transport bench: SMTP" >&2
smtp1=$(compare kallad_smtp source_smtp 1)
smtp10=$(compare kallad_smtp source_smtp 10)

# Webhooks: nginx answering 204, Kallad 50 in flight against curl -Z --parallel-max 50, same count and body.
http_port=$(free_port)
mkdir -p "$work/nginx"
user_line=""; [ "$(id -u)" -eq 0 ] && user_line="user nobody nogroup;"
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    server {
        listen 127.0.0.1:$http_port;
        location /hook { return 204; }
    }
}
CONF
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" >/dev/null 2>&1 &
nginx=$!
wait_port "$http_port"
url="http://127.0.0.1:$http_port/hook"
$bench hook-body >"$work/body.json"
echo "transport bench: webhooks" >&2
kallad_http() {  # in flight → req/s
    out=$($bench http "$url" "$REQUESTS" "$1")
    [ "$(field "$out" delivered)" = "$REQUESTS" ] || {
        echo "transport bench: not all delivered: $out" >&2
        exit 1
    }
    field "$out" per_second
}
curl_http() {  # in flight → req/s
    start=$(date +%s.%N)
    curl -s -Z --parallel-max "$1" -H "Content-Type: application/json" -H "webhook-id: msg_1" \
        --data-binary @"$work/body.json" "$url?n=[1-$REQUESTS]" >/dev/null 2>&1
    end=$(date +%s.%N)
    python3 -c "print($REQUESTS / ($end - $start))"
}
http50=$(compare kallad_http curl_http 50)
load_end=$(cut -d" " -f1 /proc/loadavg)

# Memory over SENDS sends in batches of 1,000, and a leak check on a short run.
echo "transport bench: memory" >&2
memory_http=$($bench memory http "$url" "$SENDS")
memory_smtp=$($bench memory smtp "smtp://127.0.0.1:$sink_port" "$SENDS")
echo "transport bench: LeakSanitizer" >&2
leak() {  # COMMAND… → "leaked-bytes leaked-allocations" (0 0 when LeakSanitizer reports nothing)
    ASAN_OPTIONS=detect_leaks=1 "$@" >/dev/null 2>"$work/lsan.log" || true
    python3 - "$work/lsan.log" <<'PY'
import re, sys
m = re.search(r"SUMMARY: AddressSanitizer: (\d+) byte\(s\) leaked in (\d+) allocation", open(sys.argv[1]).read())
print(m.group(1), m.group(2)) if m else print(0, 0)
PY
}
leak_http=$(leak $asan http "$url" 2000 50)
leak_smtp=$(leak $asan smtp "smtp://127.0.0.1:$sink_port" 1000 4)
# The check must be able to see a leak: the same build with a deliberate one.
leak_probe=$(leak $asan leak-probe)

python3 - <<PY
import json
print(json.dumps({
    "messages": $MESSAGES, "requests": $REQUESTS, "sends": $SENDS, "runs": $RUNS, "message_bytes": $size,
    "smtp1": $smtp1, "smtp10": $smtp10, "http50": $http50, "load": [$load_start, $load_end],
    "memory_http": $memory_http, "memory_smtp": $memory_smtp,
    "leak_http": dict(zip(["bytes", "allocations"], map(int, "$leak_http".split()))),
    "leak_smtp": dict(zip(["bytes", "allocations"], map(int, "$leak_smtp".split()))),
    "leak_probe": dict(zip(["bytes", "allocations"], map(int, "$leak_probe".split()))),
    "curl": "$(curl --version | head -1 | cut -d' ' -f1-3)",
}))
PY
