// The comparison peer of bench/run.sh: Bun.serve (uWebSockets) with its native pub/sub, speaking
// the part of stockstream's protocol that the load generator uses: a `welcome` with the symbols,
// `?symbols=` subscribing at once (answered by `subscribed` with a snapshot), and `tick` frames
// of the contract's shape with a `seq` per symbol, at random times with the same mean interval
// per symbol as stockstream's feed (exponential gaps, the same timer period).
//
// As in stockstream, the feed has a thread of its own (a worker) and hands each step's ticks to
// the server's thread, whose loop publishes them once it is free: a tick's `ts` is when the feed
// made it, so the latency measured includes the time it waited for a busy loop. With the feed's
// timer on the server's own loop, the steps ran late behind the fan-out (50-58 ms on average at
// 150k frames/s over 10k connections) and each tick was stamped only once its step ran, which
// left that wait out of the peer's latency and in stockstream's.
//
//   PEER_SYMBOLS=50 PEER_TICK_INTERVAL_MS=100 node_modules/.bin/bun peer.js
//
// Settings (env): PEER_HOST (127.0.0.1), PEER_PORT (0: any free port, printed as
// "peer port: N"), PEER_SYMBOLS (count, 50: named S00001, S00002, ... as bench/run.sh names them
// for stockstream too), PEER_TICK_INTERVAL_MS (100), PEER_BACKPRESSURE_BYTES (262144, like
// stockstream's STOCKSTREAM_WRITE_QUEUE_BYTES: a socket with more queued drops ticks).

const env = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`peer: ${name}: '${v}' is not a non-negative number`);
    process.exit(2);
  }
  return n;
};

const host = process.env.PEER_HOST || "127.0.0.1";
const port = env("PEER_PORT", 0);
const count = Math.max(1, env("PEER_SYMBOLS", 50));
const interval = Math.max(1, env("PEER_TICK_INTERVAL_MS", 100));
const backpressure = env("PEER_BACKPRESSURE_BYTES", 262144);

const symbols = Array.from({ length: count }, (_, i) => "S" + String(i + 1).padStart(5, "0"));
const known = new Set(symbols);
const epoch = Math.floor(Math.random() * 2 ** 48).toString(16).padStart(12, "0");
const welcomeTail = `,"epoch":"${epoch}","symbols":${JSON.stringify(symbols)},"market":"open"}`;

const { Worker, isMainThread, parentPort } = require("node:worker_threads");

if (isMainThread) {
  serve();
} else {
  feed();
}

function serve() {
  // The latest frame of each symbol, for the snapshot of a new subscription.
  const last = new Array(count).fill(null);
  let connectionId = 0;
  const server = Bun.serve({
    hostname: host,
    port,
    fetch(req, srv) {
      const url = new URL(req.url);
      if (url.pathname !== "/ws") return new Response("not found\n", { status: 404 });
      const wanted = (url.searchParams.get("symbols") || "")
        .split(",")
        .map((s) => s.trim().toUpperCase())
        .filter((s) => known.has(s));
      if (srv.upgrade(req, { data: { symbols: [...new Set(wanted)] } })) return undefined;
      return new Response("upgrade required\n", { status: 400 });
    },
    websocket: {
      perMessageDeflate: false,
      backpressureLimit: backpressure,
      open(ws) {
        const id = (++connectionId).toString(16);
        ws.send(
          `{"type":"welcome","protocol":1,"connectionId":"${id}","serverTime":${Date.now()}` +
            welcomeTail,
        );
        const subs = ws.data.symbols;
        if (subs.length === 0) return;
        for (const s of subs) ws.subscribe(s);
        const snapshot = subs.map((s) => last[Number(s.slice(1)) - 1]).filter(Boolean);
        ws.send(
          `{"type":"subscribed","symbols":${JSON.stringify(subs)},"snapshot":[${snapshot.join(",")}]}`,
        );
      },
      message() {
        // The load generator sends nothing but pongs and closes, which Bun handles itself.
      },
    },
  });

  const feedThread = new Worker(__filename);
  feedThread.on("message", ({ indices, frames }) => {
    for (let k = 0; k < indices.length; k++) {
      last[indices[k]] = frames[k];
      server.publish(symbols[indices[k]], frames[k]);
    }
  });
  feedThread.on("error", (e) => {
    console.error(`peer: the feed failed: ${e}`);
    process.exit(1);
  });

  console.log(`peer port: ${server.port}`);
  console.log(`peer: ${count} symbols, a tick every ${interval} ms on average per symbol, pid ${process.pid}`);
  process.on("SIGTERM", () => {
    server.stop(true);
    process.exit(0);
  });
}

function feed() {
  // One price walk per symbol; the same fields, in the same order, as stockstream's tick frame.
  const state = symbols.map((symbol) => {
    const open = 20 + Math.random() * 480;
    return { symbol, seq: 0, open, price: open, high: open, low: open, volume: 0 };
  });

  function tick(s, ts) {
    s.seq++;
    s.price = Math.max(0.01, s.price * (1 + (Math.random() - 0.5) * 0.002));
    s.high = Math.max(s.high, s.price);
    s.low = Math.min(s.low, s.price);
    s.volume += 100 * (1 + Math.floor(Math.random() * 10));
    const change = s.price - s.open;
    return (
      `{"type":"tick","symbol":"${s.symbol}","seq":${s.seq},"price":${s.price.toFixed(2)}` +
      `,"open":${s.open.toFixed(2)},"high":${s.high.toFixed(2)},"low":${s.low.toFixed(2)}` +
      `,"change":${change.toFixed(2)},"changePct":${((change / s.open) * 100).toFixed(2)}` +
      `,"volume":${s.volume},"ts":${ts}}`
    );
  }

  // stockstream's feed: a timer every interval/5 ms (1..50), each symbol due after an exponential
  // gap around the mean; after a stall of over a second a symbol resumes from now, no burst.
  // The steps keep to the clock (each is due a period after the last was due), as stockstream's
  // Vert.x periodic timer does.
  const period = Math.max(1, Math.min(50, Math.floor(interval / 5)));
  const gap = () => Math.max(0.001, -Math.log(1 - Math.random()) * interval);
  const nextDue = new Float64Array(count);
  const t0 = performance.now();
  // A step's ticks go to the server's thread as one message: the symbols' indices and frames.
  const post = (indices, frames) => parentPort.postMessage({ indices, frames });
  post(
    state.map((_, i) => i),
    state.map((s) => tick(s, Date.now())),
  );
  for (let i = 0; i < count; i++) nextDue[i] = t0 + gap();
  let stepDue = t0 + period;
  function step() {
    const now = performance.now();
    const ts = Date.now();
    const indices = [];
    const frames = [];
    for (let i = 0; i < count; i++) {
      if (now - nextDue[i] > 1000) nextDue[i] = now;
      while (nextDue[i] <= now) {
        indices.push(i);
        frames.push(tick(state[i], ts));
        nextDue[i] += gap();
      }
    }
    if (indices.length > 0) post(indices, frames);
    // A step missed by more than a period is skipped, not made up in a burst.
    stepDue = Math.max(stepDue + period, now);
    setTimeout(step, stepDue - performance.now());
  }
  setTimeout(step, period);
}
