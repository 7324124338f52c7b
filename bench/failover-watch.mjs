// The client of bench/failover.sh on a member that survives the kill: it streams every symbol,
// prints "ready" once subscribed, then reads the kill's time (epoch ms, fractional) on stdin and
// prints, for the first tick made after it (ts > kill: the dead leader made none later, so it is
// the successor's), "<ms from the kill to its arrival> <ms since the tick before it arrived>
// <symbol> <seq>", and exits. The tick before it is usually the dead leader's last; when this
// member had not received that one yet, it comes with the successor's takeover (which publishes
// every symbol's last state again), just before the first new tick. A connection that closes first is a failure: it prints "closed" and exits 1.
//
//   node [--experimental-websocket] bench/failover-watch.mjs PUBLIC_PORT
import readline from 'node:readline';

const port = process.argv[2];
// Wall-clock time with sub-millisecond resolution, on the clock the ticks' ts are made on.
const now = () => performance.timeOrigin + performance.now();

let killAt = null;
let lastArrival = null;
let ready = false;
let done = false;

const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
ws.onmessage = (m) => {
  const at = now();
  const f = JSON.parse(m.data);
  if (f.type === 'welcome') {
    ws.send(JSON.stringify({ op: 'subscribe', symbols: f.symbols }));
  } else if (f.type === 'subscribed' && !ready) {
    ready = true;
    console.log('ready');
  } else if (f.type === 'tick' && !done) {
    if (killAt !== null && f.ts > killAt) {
      done = true;
      const silence = lastArrival === null ? -1 : at - lastArrival;
      console.log(`${(at - killAt).toFixed(1)} ${silence.toFixed(1)} ${f.symbol} ${f.seq}`);
      ws.close();
      process.exit(0);
    }
    lastArrival = at;
  }
};
ws.onclose = () => {
  if (!done) {
    console.log('closed');
    process.exit(1);
  }
};
ws.onerror = () => {};

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  killAt = Number(line.trim());
});
