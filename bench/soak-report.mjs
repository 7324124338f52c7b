// Prints the soak's figures from bench/soak.sh's directory: memory over time, the fast clients
// against the control run without slow ones, and what became of the slow clients.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const json = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const samples = readFileSync(join(dir, 'soak.samples.csv'), 'utf8')
  .trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const soak = json('soak.json');
const control = json('control.json');

// Flat: after the first minute, the mean of the last half within 10% of the first half's.
function flat(column) {
  const values = samples.filter((s) => s[0] >= 60).map((s) => s[column]);
  if (values.length < 4) return { verdict: 'too few samples', values };
  const half = Math.floor(values.length / 2);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(values.slice(0, half));
  const last = mean(values.slice(half));
  const change = (last - first) / first;
  return {
    verdict: Math.abs(change) <= 0.1 ? 'flat' : 'NOT flat',
    first: Math.round(first), last: Math.round(last), change: `${(change * 100).toFixed(1)}%`,
    min: Math.min(...values), max: Math.max(...values),
  };
}

const fast = (s) => ({
  ticksPerSecond: s.frames.ticksPerSecond, deliveryRatio: s.frames.deliveryRatio,
  p50: s.latencyMs.p50, p99: s.latencyMs.p99, max: s.latencyMs.max,
  gaps: s.sequence.gaps, outOfOrder: s.sequence.outOfOrder, duplicates: s.sequence.duplicates,
});
const last = samples[samples.length - 1] ?? [];
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
  server: { conflatedTotal: last[4], slowConsumerCloses: last[5], cpu: soak.server?.utilisation },
};
console.log(JSON.stringify(report, null, 2));
