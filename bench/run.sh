#!/usr/bin/env bash
# One command: stockstream and the Bun peer (bench/peer: uWebSockets with native pub/sub) under
# the same scenarios, driven by the project's own load generator, each server pinned to core 0 and
# the load generator to core 1. Prints a side-by-side table of medians; keeps every JSON summary
# under target/bench/<time>/. Each measured run follows warm-ups: the same load on the same server
# process, repeated until a JVM's JIT has settled (see WARMUP below); not in the memory scenario (d).
#
#   bench/run.sh                 every scenario, 3 runs a point, both servers
#   bench/run.sh --quick         scenario (a) once per server: a smoke check of the setup
#   bench/run.sh --scenarios b --servers peer --runs 1
#   bench/run.sh --scenarios a --servers stockstream,cluster
#                                (cluster: the load on one member of a 3-node cluster, the feed
#                                leader, all three members on core 0)
#
# Offered rate: a connection subscribes to K=5 symbols and each symbol ticks every INTERVAL ms on
# average, so the servers offer  connections x K x 1000 / INTERVAL  tick frames per second (every
# symbol has the same number of subscribers, whatever the universe size). Each scenario sets
# INTERVAL = connections x K x 1000 / offered, through STOCKSTREAM_TICK_INTERVAL_MS and
# PEER_TICK_INTERVAL_MS, and the universe through STOCKSTREAM_SYMBOLS and PEER_SYMBOLS (both
# named S00001, S00002, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
    echo "flags: --quick | --scenarios a,b,c,d,e | --servers stockstream,peer | --runs N"
}

SCENARIOS=a,b,c,d,e
SERVERS=stockstream,peer
RUNS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) SCENARIOS=a; RUNS=1; shift ;;
        --scenarios) SCENARIOS=$2; shift 2 ;;
        --servers) SERVERS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown flag $1" >&2; usage >&2; exit 2 ;;
    esac
done

K=5
JAR=target/stockstream.jar
BUN=bench/peer/node_modules/.bin/bun
OUT=target/bench/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
# 18,000 sockets in one process: the hard limit here is 20,000 descriptors per process.
ulimit -n 20000

# Build what is missing or stale.
if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
    echo "bench: building $JAR" >&2
    mvn -B -q -Dmaven.test.skip=true package # the jar only: tests are `mvn -B verify`
fi
if [ ! -x "$BUN" ]; then
    echo "bench: installing the peer (npm ci)" >&2
    npm ci --prefix bench/peer --no-audit --no-fund >&2
fi
# The server runs with the container image's JVM flags: the words between java and -jar.
JVM_FLAGS=$(grep '^ENTRYPOINT' Dockerfile | tr -d '[]",' | sed 's/^ENTRYPOINT *java //; s/ -jar .*//')

{ echo "started $(date -u +%FT%TZ)"; uptime; nproc; } > "$OUT/machine.txt"
echo "bench: results in $OUT ($(uptime | sed 's/.*load/load/'))" >&2

symbols() { seq -f 'S%05g' 1 "$1" | paste -sd, -; }

SERVER_PID=
SERVER_PORT=
MEMBER_PIDS=
MEMBERS=127.0.0.1:15701,127.0.0.1:15702,127.0.0.1:15703
start_server() { # server symbols interval log
    local server=$1 n=$2 interval=$3 log=$4 line='public port: '
    if [ "$server" = cluster ]; then
        # The measured member 1 first, the others once it has joined: the oldest member leads, so
        # the load lands on the feed leader, the member with the most work. All three on core 0.
        MEMBER_PIDS=
        for i in 1 2 3; do
            local out="$log"
            [ "$i" = 1 ] || out="${log%.log}.member$i.log"
            STOCKSTREAM_HOST=127.0.0.1 STOCKSTREAM_HTTP_PORT=0 STOCKSTREAM_MANAGEMENT_PORT=0 \
            STOCKSTREAM_SYMBOLS=$(symbols "$n") STOCKSTREAM_TICK_INTERVAL_MS=$interval \
            STOCKSTREAM_SEED=1 STOCKSTREAM_CLUSTER_MEMBERS=$MEMBERS \
            STOCKSTREAM_CLUSTER_PORT=1570$i STOCKSTREAM_EVENTBUS_PORT=1571$i \
                taskset -c 0 java $JVM_FLAGS -jar "$JAR" > "$out" 2>&1 &
            if [ "$i" = 1 ]; then
                SERVER_PID=$!
                for _ in $(seq 1 150); do
                    grep -q 'cluster: joined' "$log" 2>/dev/null && break
                    sleep 0.2
                done
            else
                MEMBER_PIDS="$MEMBER_PIDS $!"
            fi
        done
    elif [ "$server" = stockstream ]; then
        STOCKSTREAM_HOST=127.0.0.1 STOCKSTREAM_HTTP_PORT=0 STOCKSTREAM_MANAGEMENT_PORT=0 \
        STOCKSTREAM_SYMBOLS=$(symbols "$n") STOCKSTREAM_TICK_INTERVAL_MS=$interval \
        STOCKSTREAM_SEED=1 \
            taskset -c 0 java $JVM_FLAGS -jar "$JAR" > "$log" 2>&1 &
        SERVER_PID=$!
    else
        PEER_SYMBOLS=$n PEER_TICK_INTERVAL_MS=$interval \
            taskset -c 0 "$BUN" bench/peer/peer.js > "$log" 2>&1 &
        SERVER_PID=$!
        line='peer port: '
    fi
    for _ in $(seq 1 300); do
        SERVER_PORT=$(grep -so "$line[0-9]*" "$log" | grep -o '[0-9]*$' || true)
        [ -n "$SERVER_PORT" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: $server died, see $log" >&2; exit 1; }
        sleep 0.2
    done
    [ -n "$SERVER_PORT" ] || { echo "bench: $server did not start, see $log" >&2; exit 1; }
    if [ "$server" != peer ]; then
        local mgmt
        mgmt=$(grep -o 'management port: [0-9]*' "$log" | grep -o '[0-9]*$')
        for _ in $(seq 1 150); do
            curl -fs "http://127.0.0.1:$mgmt/health/ready" > /dev/null && break
            sleep 0.2
        done
    fi
}

stop_server() {
    for pid in $SERVER_PID $MEMBER_PIDS; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $SERVER_PID $MEMBER_PIDS; do
        wait "$pid" 2>/dev/null || true
    done
    MEMBER_PIDS=
}

# Before a measured run each server gets the same load again and again (WARMUP=1, the default):
# a server meets a connection storm or a saturating stream long after it started, and a JVM's
# first minute under load is spent compiling its hot paths. On one core the compiler shares the
# event loop's core: cold, in scenario (c), its C2 thread used as much CPU as the event loop, and
# it still spent 3 s of a 5 s storm compiling after three storms. So a JVM server is warmed until
# one warm-up costs its compilers under half a second (`jstat -compiler`), at most WARMUP_MAX
# times; the peer gets as many warm-ups as the last JVM server of the same point needed. Scenario
# (d) measures memory and runs cold (WARMUP=0): a warm-up's connections would leave their heap.
WARMUP=1
WARMUP_MAX=6
# The load generator is a JVM too, started afresh for each measured run: cold, its C2 compiler
# took its core from it in a storm (scenario (c): its core at 100% and 250-1,509 handshakes in the
# first second while the server used 19-30% of its own). So the measured process first makes the
# whole run once, unreported (--rehearsals), unless the scenario runs cold. (c) makes it three
# times: after one, C2 still took half of the load generator's core in the measured storm (perf,
# per second: 249 of 499 samples; 40-50 compilations and deoptimisations a second), as code that
# runs once per connection reaches C2's thresholds only in the second storm and the connections'
# closing in between deoptimises the pipeline's. Its core then stood at 100% and its p99 counted
# its own compiler: the same server jar measured 144-277 ms after one rehearsal, 79-124 after three.
REHEARSALS=1
WARMUPS_USED=3
compile_ms() { # pid -> milliseconds the JVM's compilers have spent so far
    jstat -compiler "$1" 2>/dev/null | awk 'NR == 2 { printf "%d\n", $4 * 1000 }' || true
}
warm_up() { # dir server run loadgen-flags...
    local dir=$1 server=$2 run=$3
    shift 3
    [ "$WARMUP" = 1 ] || return 0
    local i before= after= log="$dir/$server-$run.warmup.log"
    for i in $(seq 1 "$WARMUP_MAX"); do
        [ "$server" = peer ] || before=$(compile_ms "$SERVER_PID")
        taskset -c 1 java -cp "$JAR" io.stockstream.loadgen.LoadGenerator \
            --url "ws://127.0.0.1:$SERVER_PORT/ws" "$@" --warmup 1s --duration 5s \
            > /dev/null 2>> "$log" \
            || echo "bench: a warm-up failed, see $log" >&2
        if [ "$server" = peer ]; then
            [ "$i" -lt "$WARMUPS_USED" ] || break
            continue
        fi
        after=$(compile_ms "$SERVER_PID")
        echo "warm-up $i: compilers at $before ms, then $after ms" >> "$log"
        if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -lt 500 ]; then
            break
        fi
    done
    [ "$server" = peer ] || WARMUPS_USED=$i
    echo "$server: $i warm-up runs" >> "$log"
}

# point SCENARIO LABEL SYMBOLS INTERVAL_MS LOADGEN-FLAGS...: every server, RUNS times each.
point() {
    local scenario=$1 label=$2 n=$3 interval=$4
    shift 4
    local dir="$OUT/$scenario/$label"
    mkdir -p "$dir"
    for server in ${SERVERS//,/ }; do
        for run in $(seq 1 "$RUNS"); do
            start_server "$server" "$n" "$interval" "$dir/$server-$run.server.log"
            warm_up "$dir" "$server" "$run" --tick-interval-ms "$interval" "$@"
            taskset -c 1 java -cp "$JAR" io.stockstream.loadgen.LoadGenerator \
                --url "ws://127.0.0.1:$SERVER_PORT/ws" --watch-pid "$SERVER_PID" \
                --rehearsals "$REHEARSALS" \
                --tick-interval-ms "$interval" --out "$dir/$server-$run.json" "$@" \
                > /dev/null 2> "$dir/$server-$run.log" \
                || echo "bench: the load generator failed, see $dir/$server-$run.log" >&2
            stop_server
            [ -f "$dir/$server-$run.json" ] && node bench/report.mjs --line "$dir/$server-$run.json" >&2
        done
    done
}

interval_for() { # connections offered -> mean tick interval in ms
    echo $(( $1 * K * 1000 / $2 ))
}

for s in ${SCENARIOS//,/ }; do
    case "$s" in
        a) # 1k connections, 50k frames/s offered.
            point a 50000 50 "$(interval_for 1000 50000)" \
                --connections 1000 --subscriptions $K --rate 1000 --warmup 5s --duration 15s ;;
        b) # 10k connections: the highest offered rate at which >= 95% of the ticks the feed made
           # are delivered, the feed made >= 85% of the mean offered (a server too busy for its
           # own feed lags it) and p99 < 100 ms (bench/report.mjs), climbing a ladder per server
           # until the median of a point fails. Rungs close together where this machine's servers
           # saturate, 12.5k apart from 75k to 125k, so that a rung's width does not decide it.
            all=$SERVERS
            for one in ${all//,/ }; do
                SERVERS=$one
                for offered in 25000 50000 75000 87500 100000 112500 125000 150000 175000 200000 250000 300000 400000 500000 625000 800000 1000000; do
                    point b "$offered" 50 "$(interval_for 10000 "$offered")" \
                        --connections 10000 --subscriptions $K --rate 2000 --warmup 5s --duration 15s
                    node bench/report.mjs --passes "$OUT/b/$offered" "$one" || break
                done
            done
            SERVERS=$all ;;
        c) # 10k connections opened at 5,000/s while 50k frames/s stream, measured during the ramp.
            REHEARSALS=3
            point c 50000 50 "$(interval_for 10000 50000)" \
                --connections 10000 --subscriptions $K --rate 5000 --max-inflight 2000 \
                --measure-during-ramp --duration 10s
            REHEARSALS=1 ;;
        d) # 18,000 idle connections at 1,000/s: resident memory per connection, cold.
            WARMUP=0 REHEARSALS=0
            point d idle 50 500 \
                --connections 18000 --subscriptions 0 --rate 1000 --max-inflight 1000 \
                --warmup 2s --duration 3s
            WARMUP=1 REHEARSALS=1 ;;
        e) # A 10,000-symbol universe, 10k connections, 50k frames/s.
            point e 50000 10000 "$(interval_for 10000 50000)" \
                --connections 10000 --subscriptions $K --rate 2000 --warmup 5s --duration 15s ;;
        *) echo "bench: no scenario $s" >&2; exit 2 ;;
    esac
done

{ echo "ended $(date -u +%FT%TZ)"; uptime; } >> "$OUT/machine.txt"
node bench/report.mjs "$OUT" | tee "$OUT/table.txt"
