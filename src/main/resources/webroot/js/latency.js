// Tick-to-browser latency over a sliding minute: from the tick's `ts` (when the feed made it,
// corrected for the clock offset measured by ping/pong) to its arrival in this page.
//
// Samples go into a fixed ring of typed arrays: 500 ticks a second for a minute is 30 000 samples,
// no garbage per tick. Percentiles are computed when shown (once a second), by sorting a copy:
// a typed-array sort of 30 000 numbers takes a couple of milliseconds.

import { fmtMs } from './format.js';

const WINDOW_MS = 60_000;
const CAPACITY = 1 << 16;

export class LatencyWindow {
  constructor(windowMs = WINDOW_MS, capacity = CAPACITY) {
    this.windowMs = windowMs;
    this.at = new Float64Array(capacity);
    this.value = new Float64Array(capacity);
    this.head = 0; // next slot to write
    this.size = 0;
  }

  add(at, latencyMs) {
    if (!Number.isFinite(latencyMs)) return;
    this.at[this.head] = at;
    this.value[this.head] = latencyMs;
    this.head = (this.head + 1) % this.at.length;
    if (this.size < this.at.length) this.size++;
  }

  /** {p50, p99, n} over the samples of the last window before `now`; NaNs when there are none. */
  percentiles(now) {
    const cap = this.at.length;
    const from = now - this.windowMs;
    const picked = new Float64Array(this.size);
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = (this.head - 1 - i + cap) % cap; // newest first: stop at the first old one
      if (this.at[slot] < from) break;
      picked[n++] = this.value[slot];
    }
    if (n === 0) return { p50: NaN, p99: NaN, n: 0 };
    const sorted = picked.subarray(0, n).sort();
    // Nearest rank: the smallest sample with at least p of them at or below it.
    const rank = (p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
    return { p50: rank(0.5), p99: rank(0.99), n };
  }
}

/** Shows the window's p50 and p99 in the header, refreshed once a second. */
export function showLatency(window) {
  const p50 = document.getElementById('lat-p50');
  const p99 = document.getElementById('lat-p99');
  const chip = document.getElementById('latency');
  const render = () => {
    const { p50: a, p99: b, n } = window.percentiles(Date.now());
    p50.textContent = fmtMs(a);
    p99.textContent = fmtMs(b);
    chip.dataset.samples = String(n);
    chip.title =
      `From the moment the server made a tick (its ts) to its arrival in this browser, ` +
      `over the last minute: ${n} ticks.`;
  };
  render();
  setInterval(render, 1000);
}
