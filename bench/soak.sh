#!/usr/bin/env bash
# Soak: the jar for a long while under 2,000 clients, 10% of which read at a tenth of the rate,
# then the same without the slow ones, as the control for latency. The jar is pinned to core 0
# with the Dockerfile's JVM flags, the load generator to core 1. Every 30 s it forces a full GC
# (jcmd GC.run; if it fails, the soak stops there) and samples the server's RSS and heap after it.
# At the end soak-report.mjs prints the figures and a PASS or FAIL line per check: RSS and heap
# flat, the fast clients gap-free with a p99 near the control's, the slow ones conflated, closed
# with 1013 or closed by the heartbeat. The script exits non-zero when a check fails. Files stay in target/bench/soak-<time>/.
#
#   bench/soak.sh                       10 minutes, then a 3-minute control without slow clients
#   bench/soak.sh --minutes 2 --control-minutes 1
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=10
CONTROL_MINUTES=3
CONNECTIONS=2000
# One symbol a client at a tick every 100 ms: 2,000 x 1 / 0.1 s = 20,000 ticks/s offered, 10 a
# second per client. The node keeps 1,000 ticks of history per symbol, so its memory stops growing
# with the history after 100 s, and the flatness of the heap is judged after that (at 5 symbols a
# client and the default 500 ms, the same load, the history would fill for 500 s of the 10 minutes).
K=1
SYMBOLS=50
INTERVAL=100
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) MINUTES=$2; shift 2 ;;
        --control-minutes) CONTROL_MINUTES=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "soak: unknown flag $1" >&2; exit 2 ;;
    esac
done

JAR=target/stockstream.jar
OUT=target/bench/soak-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
ulimit -n 20000
if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
    echo "soak: building $JAR" >&2
    mvn -B -q -DskipTests package
fi
JVM_FLAGS=$(grep '^ENTRYPOINT' Dockerfile | tr -d '[]",' | sed 's/^ENTRYPOINT *java //; s/ -jar .*//')
{ echo "started $(date -u +%FT%TZ)"; uptime; nproc; } > "$OUT/machine.txt"
echo "soak: results in $OUT ($(uptime | sed 's/.*load/load/'))" >&2

PID=
MGMT=
start_server() { # log
    STOCKSTREAM_HOST=127.0.0.1 STOCKSTREAM_HTTP_PORT=0 STOCKSTREAM_MANAGEMENT_PORT=0 \
    STOCKSTREAM_SYMBOLS=$(seq -f 'S%05g' 1 "$SYMBOLS" | paste -sd, -) \
    STOCKSTREAM_TICK_INTERVAL_MS=$INTERVAL STOCKSTREAM_SEED=1 \
        taskset -c 0 java $JVM_FLAGS -jar "$JAR" > "$1" 2>&1 &
    PID=$!
    for _ in $(seq 1 300); do
        MGMT=$(grep -so 'management port: [0-9]*' "$1" | grep -o '[0-9]*$' || true)
        [ -n "$MGMT" ] && curl -fs "http://127.0.0.1:$MGMT/health/ready" > /dev/null && break
        kill -0 "$PID" 2>/dev/null || { echo "soak: the server died, see $1" >&2; exit 1; }
        sleep 0.2
    done
    PORT=$(grep -o 'public port: [0-9]*' "$1" | grep -o '[0-9]*$')
}

LOADGEN=
stop_server() {
    if [ -n "$LOADGEN" ] && kill -0 "$LOADGEN" 2>/dev/null; then
        kill -TERM "$LOADGEN" 2>/dev/null || true
        wait "$LOADGEN" 2>/dev/null || true
    fi
    LOADGEN=
    [ -n "$PID" ] || return 0
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=
}
# Whatever ends the script, no server (nor load generator) is left running.
trap stop_server EXIT

metric() { # name, or name{first-label: the sum of its samples on /metrics (the value is last)
    curl -fs "http://127.0.0.1:$MGMT/metrics" \
        | awk -v n="$1" '$1 == n || index($1, n "{") == 1 || (index(n, "{") && index($1, n) == 1) {
            s += $NF } END { printf "%.0f", s }'
}

# sample FILE: every 30 s until the load generator ends, a full GC, then RSS and heap after it.
sample() {
    echo "seconds,rss_kb,heap_after_gc_bytes,connections,conflated,slow_consumer_closes" > "$1"
    local start=$SECONDS out
    while kill -0 "$LOADGEN" 2>/dev/null; do
        # Heap after GC means nothing without the GC: a jcmd that fails ends the soak.
        if ! out=$(jcmd "$PID" GC.run 2>&1); then
            echo "soak: jcmd $PID GC.run failed, so there is no heap after GC to sample;" \
                "stopping the soak, its load generator and the server (log: $OUT)" >&2
            printf '%s\n' "$out" | sed 's/^/soak:   /' >&2
            exit 1
        fi
        echo "$((SECONDS - start)),$(awk '/VmRSS/ { print $2 }' "/proc/$PID/status")\
,$(metric 'jvm_memory_used_bytes{area="heap"')\
,$(metric stockstream_ws_connections),$(metric stockstream_ws_ticks_conflated_total)\
,$(metric 'stockstream_ws_disconnects_total{reason="slow_consumer"')" >> "$1"
        for _ in $(seq 1 30); do
            kill -0 "$LOADGEN" 2>/dev/null || break
            sleep 1
        done
    done
}

run() { # label minutes slow-fraction
    start_server "$OUT/$1.server.log"
    taskset -c 1 java -cp "$JAR" io.stockstream.loadgen.LoadGenerator \
        --url "ws://127.0.0.1:$PORT/ws" --watch-pid "$PID" --connections "$CONNECTIONS" \
        --subscriptions $K --rate 500 --warmup 30s --duration "$2m" \
        --slow-fraction "$3" --slow-factor 10 --tick-interval-ms $INTERVAL \
        --out "$OUT/$1.json" > /dev/null 2> "$OUT/$1.log" &
    LOADGEN=$!
    sample "$OUT/$1.samples.csv"
    wait "$LOADGEN" || echo "soak: the load generator failed, see $OUT/$1.log" >&2
    LOADGEN=
    # The server's counters once the run is over (the last sample may be up to 30 s older).
    echo "conflated,slow_consumer_closes,idle_closes" > "$OUT/$1.end.csv"
    echo "$(metric stockstream_ws_ticks_conflated_total)\
,$(metric 'stockstream_ws_disconnects_total{reason="slow_consumer"')\
,$(metric 'stockstream_ws_disconnects_total{reason="idle"')" >> "$OUT/$1.end.csv"
    stop_server
}

run soak "$MINUTES" 0.1
run control "$CONTROL_MINUTES" 0
node bench/soak-report.mjs "$OUT"
