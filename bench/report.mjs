// Reads the load generator's JSON summaries that bench/run.sh keeps and prints them:
//   node bench/report.mjs DIR                the side-by-side table of medians (the run's result)
//   node bench/report.mjs --line FILE        one line for one run (progress while it runs)
//   node bench/report.mjs --passes DIR NAME  exit 0 when NAME's median at DIR meets scenario (b)'s
//                                            bar (BAR below)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

// "cluster" is stockstream as one member of a 3-node cluster (bench/run.sh --servers cluster).
const SERVERS = ["stockstream", "cluster", "peer"];
// Scenario (b)'s bar. Delivery is judged against the ticks the feed made (by seq), not against the
// mean offered rate: at (b)'s lower rungs 50 random walks make a few hundred ticks a window, a
// count that strays some 5% from the mean either way, which decided the old bar. A server too
// busy to keep its own feed's pace shows as made < offered, hence a floor on that too, three of
// those strays below the mean.
const COVERAGE_BAR = 0.95;
const MADE_BAR = 0.85;
const P99_BAR_MS = 100;
const BAR = `>= ${COVERAGE_BAR * 100}% of the ticks made delivered, made >= ${MADE_BAR * 100}% of offered, p99 < ${P99_BAR_MS} ms`;

const load = (file) => JSON.parse(readFileSync(file, "utf8"));
const median = (xs) => {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

// The figures of one run, each a number or null.
function figures(s) {
  const frames = s.frames ?? {};
  const ticks = frames.ticks ?? 0;
  return {
    framesPerSecond: frames.ticksPerSecond ?? null,
    offered: frames.offeredPerSecond ?? null,
    delivery: frames.deliveryRatio ?? null,
    // Summaries from before the load generator wrote madeRatio: the same sum, from its parts.
    made:
      frames.madeRatio ??
      (frames.offeredPerSecond && s.windowSeconds
        ? (ticks + (s.sequence?.missing ?? 0)) / (frames.offeredPerSecond * s.windowSeconds)
        : null),
    coverage: frames.seqCoverage ?? null,
    p50: s.latencyMs?.p50 ?? null,
    p99: s.latencyMs?.p99 ?? null,
    gaps: s.sequence?.missing ?? null,
    serverMicrosPerFrame: ticks > 0 ? s.server?.microsPerTick ?? null : null,
    serverCpu: s.server?.utilisation ?? null,
    rssKbPerConnection: s.server?.rssKbPerConnection ?? null,
    handshakesPerSecond: s.connections?.handshakesPerSecond ?? null,
    handshakeP99: s.connections?.handshakeMs?.p99 ?? null,
    ok: s.connections?.ok ?? null,
    failed: s.connections?.failed ?? null,
    loadgenCpu: s.cpu?.utilisation ?? null,
  };
}

function runsOf(dir, server) {
  return readdirSync(dir)
    .filter((f) => f.startsWith(server + "-") && f.endsWith(".json"))
    .map((f) => figures(load(join(dir, f))));
}

function medianOf(runs) {
  if (runs.length === 0) return null;
  const out = { runs: runs.length };
  for (const k of Object.keys(runs[0])) out[k] = median(runs.map((r) => r[k]));
  return out;
}

const passes = (m) =>
  m &&
  m.coverage !== null &&
  m.coverage >= COVERAGE_BAR &&
  m.made !== null &&
  m.made >= MADE_BAR &&
  m.p99 !== null &&
  m.p99 < P99_BAR_MS;

const fmt = (v, digits = 0) => (v === null || v === undefined ? "-" : Number(v).toFixed(digits));
const pct = (v) => (v === null ? "-" : (v * 100).toFixed(1) + "%");
const k = (v) => (v === null ? "-" : v >= 1000 ? (v / 1000).toFixed(1) + "k" : v.toFixed(0));

const COLUMNS = [
  ["frames/s", (m) => k(m.framesPerSecond)],
  ["offered", (m) => k(m.offered)],
  ["delivered", (m) => pct(m.delivery)],
  ["made", (m) => pct(m.made)],
  ["of made", (m) => pct(m.coverage)],
  ["p50 ms", (m) => fmt(m.p50)],
  ["p99 ms", (m) => fmt(m.p99)],
  ["srv µs/frame", (m) => fmt(m.serverMicrosPerFrame, 2)],
  ["srv CPU", (m) => pct(m.serverCpu)],
  ["RSS KB/conn", (m) => fmt(m.rssKbPerConnection, 1)],
  ["handshakes/s", (m) => fmt(m.handshakesPerSecond)],
  ["hs p99 ms", (m) => fmt(m.handshakeP99)],
  ["ok/failed", (m) => `${fmt(m.ok)}/${fmt(m.failed)}`],
  ["loadgen CPU", (m) => pct(m.loadgenCpu)],
];

function line(file) {
  const s = load(file);
  const f = figures(s);
  console.log(
    `bench: ${file}: ${k(f.framesPerSecond)} frames/s of ${k(f.offered)} (${pct(f.delivery)};` +
      ` made ${pct(f.made)}, ${pct(f.coverage)} of it delivered),` +
      ` p50 ${fmt(f.p50)} ms, p99 ${fmt(f.p99)} ms, server ${pct(f.serverCpu)} CPU,` +
      ` ${fmt(f.ok)} ok / ${fmt(f.failed)} failed, loadgen ${pct(f.loadgenCpu)} CPU`,
  );
}

function table(root) {
  const rows = [["scenario", "point", "server", ...COLUMNS.map((c) => c[0])]];
  const notes = [];
  const dirs = (d) => readdirSync(d).filter((x) => statSync(join(d, x)).isDirectory());
  for (const scenario of dirs(root).sort()) {
    const points = dirs(join(root, scenario)).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
    const best = {};
    for (const point of points) {
      const m = {};
      for (const server of SERVERS) {
        m[server] = medianOf(runsOf(join(root, scenario, point), server));
        if (!m[server]) continue;
        rows.push([scenario, point, `${server} (x${m[server].runs})`, ...COLUMNS.map((c) => c[1](m[server]))]);
        if (scenario === "b" && passes(m[server])) best[server] = { point, m: m[server] };
      }
      const ratio = (label, a, b) => {
        const r = (x, y) => (x === null || y === null || y === 0 ? "-" : (x / y).toFixed(2));
        rows.push([
          scenario,
          point,
          label,
          r(a.framesPerSecond, b.framesPerSecond),
          "",
          r(a.delivery, b.delivery),
          r(a.made, b.made),
          r(a.coverage, b.coverage),
          r(a.p50, b.p50),
          r(a.p99, b.p99),
          r(a.serverMicrosPerFrame, b.serverMicrosPerFrame),
          r(a.serverCpu, b.serverCpu),
          r(a.rssKbPerConnection, b.rssKbPerConnection),
          r(a.handshakesPerSecond, b.handshakesPerSecond),
          r(a.handshakeP99, b.handshakeP99),
          "",
          "",
        ]);
      };
      if (m.stockstream && m.peer) ratio("ratio ss/peer", m.stockstream, m.peer);
      if (m.cluster && m.stockstream) ratio("ratio cluster/ss", m.cluster, m.stockstream);
    }
    if (scenario === "b") {
      for (const server of SERVERS) {
        if (points.some((p) => runsOf(join(root, scenario, p), server).length > 0)) {
          const b = best[server];
          notes.push(
            b
              ? `(b) ${server}: saturation at ${k(Number(b.point))} frames/s offered ` +
                  `(${k(b.m.framesPerSecond)} delivered, p99 ${fmt(b.m.p99)} ms, loadgen CPU ${pct(b.m.loadgenCpu)})`
              : `(b) ${server}: no point met the bar (${BAR})`,
          );
        }
      }
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd());
  for (const n of notes) console.log(n);
}

const [mode, a, b] = process.argv.slice(2);
if (mode === "--line") line(a);
else if (mode === "--passes") process.exit(passes(medianOf(runsOf(a, b))) ? 0 : 1);
else if (mode) table(mode);
else {
  console.error("usage: node bench/report.mjs DIR | --line FILE | --passes DIR SERVER");
  process.exit(2);
}
