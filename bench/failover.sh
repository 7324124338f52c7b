#!/usr/bin/env bash
# Failover: a 3-member cluster on loopback (the jar with the Dockerfile's JVM flags, one member
# list, a fixed seed, 3 symbols ticking every 50 ms), whose feed leader is killed with kill -9,
# ROUNDS times. Each round a client on a surviving member (bench/failover-watch.mjs) streams every
# symbol; the time measured is from the kill to the first tick made after it reaching that client,
# i.e. the successor's first tick. The killed member is then restarted on its cluster and event-bus
# ports and the next round waits until all three are members again under one leader. Prints each
# round, then the median and the max, and every member's RSS. Files stay in
# target/bench/failover-<time>/. Run it alone: the cluster ITs and this both want the 2 cores.
#
#   bench/failover.sh                 10 rounds
#   bench/failover.sh --rounds 3
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=10
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "failover: unknown flag $1" >&2; exit 2 ;;
    esac
done

JAR=target/stockstream.jar
OUT=target/bench/failover-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
    echo "failover: building $JAR" >&2
    mvn -B -q -DskipTests package
fi
JVM_FLAGS=$(grep '^ENTRYPOINT' Dockerfile | tr -d '[]",' | sed 's/^ENTRYPOINT *java //; s/ -jar .*//')
# Node 20 has WebSocket behind a flag; later versions have it on.
NODE=(node)
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' || NODE=(node --experimental-websocket)
{ echo "started $(date -u +%FT%TZ)"; uptime; nproc; } > "$OUT/machine.txt"
echo "failover: results in $OUT ($(uptime | sed 's/.*load/load/'))" >&2

# Six ports that nothing listens on, below the ephemeral range (32768 up), so that no outgoing
# connection takes a member's port while that member restarts.
taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
while :; do
    BASE=$((20000 + RANDOM % 12000))
    ok=1
    for p in $(seq "$BASE" $((BASE + 5))); do taken "$p" && ok=0; done
    [ "$ok" = 1 ] && break
done
CLUSTER_PORTS=("$BASE" $((BASE + 1)) $((BASE + 2)))
BUS_PORTS=($((BASE + 3)) $((BASE + 4)) $((BASE + 5)))
MEMBERS="127.0.0.1:${CLUSTER_PORTS[0]},127.0.0.1:${CLUSTER_PORTS[1]},127.0.0.1:${CLUSTER_PORTS[2]}"

PIDS=(0 0 0)
PUB=(0 0 0)
MGMT=(0 0 0)
GEN=(0 0 0)
STARTED=(0 0 0)
WATCH_PID=
stop_all() {
    [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null || true
    for pid in "${PIDS[@]}"; do
        [ "$pid" != 0 ] && kill -9 "$pid" 2>/dev/null || true
    done
}
# Whatever ends the script, no member (nor client) is left running.
trap stop_all EXIT

launch() { # index: starts the member's process (again) on its cluster and event-bus ports
    local i=$1
    GEN[$i]=$((GEN[$i] + 1))
    STARTED[$i]=$(date +%s%3N)
    STOCKSTREAM_HOST=127.0.0.1 STOCKSTREAM_HTTP_PORT=0 STOCKSTREAM_MANAGEMENT_PORT=0 \
    STOCKSTREAM_SYMBOLS=AAPL,MSFT,NVDA STOCKSTREAM_TICK_INTERVAL_MS=50 STOCKSTREAM_SEED=42 \
    STOCKSTREAM_CLUSTER_MEMBERS=$MEMBERS STOCKSTREAM_CLUSTER_PORT=${CLUSTER_PORTS[$i]} \
    STOCKSTREAM_EVENTBUS_PORT=${BUS_PORTS[$i]} \
        java $JVM_FLAGS -jar "$JAR" > "$OUT/node-$i-${GEN[$i]}.log" 2>&1 &
    PIDS[$i]=$!
}

JOIN_MS=
await_ready() { # index: waits until /health/ready answers 200; sets JOIN_MS (from its launch)
    local i=$1 log="$OUT/node-$1-${GEN[$1]}.log"
    for _ in $(seq 1 600); do
        MGMT[$i]=$(grep -so 'management port: [0-9]*' "$log" | grep -o '[0-9]*$' || true)
        [ -n "${MGMT[$i]}" ] && curl -fs "http://127.0.0.1:${MGMT[$i]}/health/ready" > /dev/null \
            && break
        kill -0 "${PIDS[$i]}" 2>/dev/null || { echo "failover: member $i died, see $log" >&2; exit 1; }
        sleep 0.1
    done
    curl -fs "http://127.0.0.1:${MGMT[$i]}/health/ready" > /dev/null \
        || { echo "failover: member $i not ready after 60 s, see $log" >&2; exit 1; }
    PUB[$i]=$(grep -o 'public port: [0-9]*' "$log" | grep -o '[0-9]*$')
    JOIN_MS=$(($(date +%s%3N) - STARTED[$i]))
}

metric() { # index name: the value of an unlabelled sample
    curl -fs "http://127.0.0.1:${MGMT[$1]}/metrics" | awk -v n="$2" '$1 == n { printf "%d", $2 }'
}

# Waits until every member sees 3 members and exactly one says it leads; sets LEADER.
LEADER=
await_one_leader() {
    for _ in $(seq 1 300); do
        local leaders=0 members=0 i
        LEADER=
        for i in 0 1 2; do
            [ "$(metric "$i" stockstream_cluster_members || true)" = 3 ] && members=$((members + 1))
            if [ "$(metric "$i" stockstream_feed_leader || true)" = 1 ]; then
                leaders=$((leaders + 1))
                LEADER=$i
            fi
        done
        [ "$members" = 3 ] && [ "$leaders" = 1 ] && return 0
        sleep 0.1
    done
    echo "failover: no single leader among 3 members (see $OUT)" >&2
    exit 1
}

rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# The first two together (one alone is no majority and publishes nothing), then the third.
launch 0
launch 1
await_ready 0
await_ready 1
echo "failover: members 0 and 1 ready ${JOIN_MS} ms after their start" >&2
launch 2
await_ready 2
echo "failover: member 2 joined in ${JOIN_MS} ms" >&2

TIMES=()
for round in $(seq 1 "$ROUNDS"); do
    await_one_leader
    killed=$LEADER
    watched=$(( (killed + 1) % 3 ))
    # A client on a survivor, connected and streaming before the kill.
    coproc WATCH { "${NODE[@]}" bench/failover-watch.mjs "${PUB[$watched]}" 2>> "$OUT/watch.log"; }
    # Copies of its pipes: bash drops WATCH[] as soon as the client exits, maybe before the read.
    exec {from_watch}<&"${WATCH[0]}" {to_watch}>&"${WATCH[1]}"
    read -r -t 20 line <&"$from_watch" || line=
    [ "$line" = ready ] || { echo "failover: the client did not start: '$line'" >&2; exit 1; }
    # The client's ticks must be flowing; then the kill, and its time right after (bash's own
    # clock, no process to spawn): the dead leader makes no tick later than that.
    sleep 0.5
    kill -9 "${PIDS[$killed]}"
    killed_at=$EPOCHREALTIME
    echo "${killed_at/./}" | awk '{ printf "%.3f\n", $1 / 1000 }' >&"$to_watch"
    read -r -t 20 result <&"$from_watch" || result=
    exec {from_watch}<&- {to_watch}>&-
    wait "$WATCH_PID" 2>/dev/null || true
    WATCH_PID=
    set -- $result
    [ "$#" = 4 ] || { echo "failover: round $round: no new tick after the kill ('$result')" >&2; exit 1; }
    TIMES+=("$1")
    wait "${PIDS[$killed]}" 2>/dev/null || true
    printf 'round %2d: killed member %d (leader), first new tick on member %d after %7.1f ms (%s #%s; the tick before it %.1f ms earlier)\n' \
        "$round" "$killed" "$watched" "$1" "$3" "$4" "$2"
    launch "$killed"
    await_ready "$killed"
    echo "          member $killed restarted, ready in $JOIN_MS ms; RSS MB: $(rss_mb "${PIDS[0]}") $(rss_mb "${PIDS[1]}") $(rss_mb "${PIDS[2]}")"
done

printf '%s\n' "${TIMES[@]}" | sort -n | awk '
    { t[NR] = $1 }
    END {
        median = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
        printf "kill -9 -> first new tick on a survivor, %d rounds: median %.1f ms, max %.1f ms\n", NR, median, t[NR]
    }'
for i in 0 1 2; do
    echo "member $i RSS: $(rss_mb "${PIDS[$i]}") MB"
done
