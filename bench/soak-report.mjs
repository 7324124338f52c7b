// Prints the soak's figures from bench/soak.sh's directory: memory over time, the fast clients
// against the control run without slow ones, and what became of the slow clients. Then a PASS or
// FAIL line per check; exits 1 when any check fails (or a file is missing), 0 when all pass.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const read = (name) => {
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch (e) {
    console.error(`soak-report: FAIL, cannot read ${join(dir ?? '', name)}: ${e.message}`);
    process.exit(1);
  }
};
const json = (name) => JSON.parse(read(name));
const csv = (name) => read(name).trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const samples = csv('soak.samples.csv');
const soak = json('soak.json');
const control = json('control.json');
// The server's counters once the soak run was over; without them, the last sample's.
const last = samples[samples.length - 1] ?? [];
const [conflatedTotal, slowConsumerCloses, idleCloses] = existsSync(join(dir, 'soak.end.csv'))
  ? csv('soak.end.csv')[0] ?? []
  : [last[4], last[5], 0];

// Flat: once the node's history is full (1,000 ticks a symbol at soak.sh's 100 ms: 100 s; the
// history is bounded, but grows until then), the mean of the last half within 10% of the first
// half's.
const FLAT_BOUND = 0.1;
const STEADY_AFTER_S = 120;
function flat(column) {
  const values = samples.filter((s) => s[0] >= STEADY_AFTER_S).map((s) => s[column]);
  if (values.length < 4) return { verdict: 'too few samples', values };
  const half = Math.floor(values.length / 2);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(values.slice(0, half));
  const last = mean(values.slice(half));
  const change = (last - first) / first;
  return {
    verdict: Math.abs(change) <= FLAT_BOUND ? 'flat' : 'NOT flat',
    first: Math.round(first), last: Math.round(last), change: `${(change * 100).toFixed(1)}%`,
    min: Math.min(...values), max: Math.max(...values),
  };
}

const fast = (s) => ({
  ticksPerSecond: s.frames.ticksPerSecond, deliveryRatio: s.frames.deliveryRatio,
  p50: s.latencyMs.p50, p99: s.latencyMs.p99, max: s.latencyMs.max,
  gaps: s.sequence.gaps, outOfOrder: s.sequence.outOfOrder, duplicates: s.sequence.duplicates,
});
const report = {
  minutes: soak.windowSeconds / 60,
  memory: { rssKb: flat(1), heapAfterGcBytes: flat(2) },
  fast: { soak: fast(soak), control: fast(control),
    p99Ratio: +(soak.latencyMs.p99 / Math.max(control.latencyMs.p99, 1)).toFixed(2) },
  slow: soak.slowReaders && {
    openAtEnd: soak.slowReaders.openAtEnd,
    ticksPerSecond: soak.slowReaders.frames.ticksPerSecond,
    deliveryRatio: soak.slowReaders.frames.deliveryRatio,
    gapsFromConflation: soak.slowReaders.sequence.gaps,
    outOfOrder: soak.slowReaders.sequence.outOfOrder,
  },
  closedByCode: soak.connections.closedByCode,
  server: { conflatedTotal, slowConsumerCloses, idleCloses, cpu: soak.server?.utilisation },
};
console.log(JSON.stringify(report, null, 2));

// --- the checks ----------------------------------------------------------------------------
const checks = [];
const check = (name, pass, detail) => checks.push({ name, pass: !!pass, detail });

for (const [name, m, unit] of [
  ['RSS flat', report.memory.rssKb, 'kB'],
  ['heap after GC flat', report.memory.heapAfterGcBytes, 'bytes'],
]) {
  check(name, m.verdict === 'flat', m.first === undefined
    ? `${m.values.length} samples after ${STEADY_AFTER_S} s, 4 needed`
    : `mean of the last half ${m.last} ${unit} against ${m.first} in the first (${m.change};`
      + ` flat is within ±${FLAT_BOUND * 100}%, samples after ${STEADY_AFTER_S} s)`);
}

// The connections the load generator made slow: it spreads floor(connections x fraction) of them.
const settings = soak.settings;
const slowCount = Math.floor(settings.connections * settings.slowFraction);
const fastCount = settings.connections - slowCount;
const slowOpen = soak.slowReaders?.openAtEnd ?? 0;
const fastOpen = soak.connections.openAtEnd - slowOpen;
check('fast clients connected', fastOpen === fastCount && soak.frames.ticks > 0,
  `${fastOpen} of ${fastCount} open at the end, ${soak.frames.ticks} ticks received`);

const seq = soak.sequence;
check('fast clients gap-free', seq.gaps === 0 && seq.outOfOrder === 0 && seq.duplicates === 0,
  `${seq.gaps} gaps (${seq.missing} ticks missing), ${seq.outOfOrder} out of order,`
  + ` ${seq.duplicates} duplicates; none allowed`);

const p99 = soak.latencyMs.p99;
const controlP99 = control.latencyMs.p99;
const p99Bound = 1.5 * controlP99 + 5;
check('fast clients p99 near the control', typeof p99 === 'number'
  && typeof controlP99 === 'number' && p99 <= p99Bound,
  `p99 ${p99} ms against the control's ${controlP99} ms; at most 1.5 x control + 5 ms`
  + ` = ${typeof controlP99 === 'number' ? p99Bound.toFixed(1) : '?'} ms`);

// Slow clients. The load generator counts per cohort, not per client, so this is what the totals
// can tell: each slow client still open needs at least one gap (so the cohort's gaps >= the open
// ones), and each one gone needs a close the contract explains: 1013 for a write queue full for
// too long, or the heartbeat's: a client that reads at a tenth of the rate answers the server's
// ping later and later (the kernel's buffers hold minutes of its ticks before its write queue
// fills) and is closed once it has not answered for IDLE_TIMEOUT_MS. Either close goes out behind
// what the client has not read, so the server drops the TCP connection after a grace period and
// the client sees 1006: those count up to the server's own counts of both kinds of close.
const closes = soak.connections.closedByCode ?? {};
const closed = Object.values(closes).reduce((a, b) => a + b, 0);
const c1013 = closes['1013'] ?? 0;
const c1006 = closes['1006'] ?? 0;
const dropped = Math.min(c1006, Math.max(0, (slowConsumerCloses ?? 0) - c1013) + (idleCloses ?? 0));
const slowGaps = soak.slowReaders?.sequence.gaps ?? 0;
const slowGone = slowCount - slowOpen;
const unexplained = closed - c1013 - dropped;
check('slow clients conflated, closed with 1013 or by the heartbeat', slowCount > 0
  && (slowOpen === 0 || slowGaps >= slowOpen) && unexplained === 0 && slowGone <= c1013 + dropped,
  `${slowCount} slow: ${slowOpen} open at the end with ${slowGaps} gaps in all (${slowOpen}`
  + ` needed), ${slowGone} gone; closes seen ${JSON.stringify(closes)}; the server closed`
  + ` ${slowConsumerCloses} as slow consumers and ${idleCloses} by the heartbeat;`
  + ` ${unexplained} closes unexplained`);

console.log();
for (const c of checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
const failed = checks.filter((c) => !c.pass).length;
console.log(failed === 0 ? `soak: PASS (${checks.length} checks)`
  : `soak: FAIL (${failed} of ${checks.length} checks)`);
process.exitCode = failed === 0 ? 0 : 1;
