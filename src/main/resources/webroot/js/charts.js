// The charts, drawn by Chart.js (loaded from the service's own WebJar as a classic script, so it
// is the global `Chart`). Every chart here is configured for a live stream rather than a report:
// no animation (each frame would interpolate towards data that is already stale), no parsing
// (data is kept as ready {x, y} points), no hover events on the tiles (50 charts listening to the
// mouse cost more than they give), and a redraw only when the view asks for one.

const SPARK_WINDOW_MS = 60_000;
/** Sparkline points closer together than this are merged: a 200 px chart cannot show more. */
const SPARK_MIN_STEP_MS = 200;
const COMPARE_WINDOW_MS = 60_000;
const MIN_SPAN_MS = 10_000;

/** The chart library, or null when it failed to load: the page then works without charts. */
function chartLib() {
  return typeof globalThis.Chart === 'function' ? globalThis.Chart : null;
}

/** Colours come from the CSS custom properties, so light and dark themes stay in one place. */
function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    up: v('--up'),
    upFill: v('--up-fill'),
    down: v('--down'),
    downFill: v('--down-fill'),
    muted: v('--muted'),
    grid: v('--grid'),
    ws: v('--ws'),
    http: v('--http'),
    font: getComputedStyle(document.body).fontFamily,
  };
}

let colours = null;
const charts = new Set();

/** Re-reads the palette when the system switches between light and dark. */
export function watchColourScheme() {
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    colours = palette();
    for (const c of charts) c.recolour();
  });
}

function currentColours() {
  if (!colours) colours = palette();
  return colours;
}

/** The small chart of a tile: the last minute of prices against the session's open. */
export class Sparkline {
  constructor(canvas) {
    this.points = [];
    this.open = NaN;
    this.up = true;
    this.dirty = false;
    const Chart = chartLib();
    if (!Chart) return;
    const c = currentColours();
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          {
            data: this.points,
            borderColor: c.up,
            backgroundColor: c.upFill,
            borderWidth: 1.5,
            pointRadius: 0,
            fill: 'start',
            tension: 0,
          },
        ],
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        layout: { padding: { top: 2, bottom: 2 } },
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: {
          x: { type: 'linear', display: false },
          y: { type: 'linear', display: false, grace: '8%' },
        },
      },
      plugins: [openLine(this)],
    });
    charts.add(this);
  }

  /** Adds a price at `t` (ms); returns nothing, draws nothing: see draw(). */
  push(t, price, open) {
    const last = this.points[this.points.length - 1];
    if (last && last.y !== null && t - last.x < SPARK_MIN_STEP_MS) {
      last.y = price; // the newest price of a merged step is the one the tile shows
    } else {
      this.points.push({ x: t, y: price });
    }
    while (this.points.length && this.points[0].x < t - SPARK_WINDOW_MS) this.points.shift();
    this.open = open;
    this.dirty = true;
  }

  /** Breaks the line: the ticks between the last point and the next one are unknown. */
  gap(t) {
    if (this.points.length) this.points.push({ x: t, y: null });
    this.dirty = true;
  }

  draw() {
    this.dirty = false;
    if (!this.chart || this.points.length === 0) return;
    const first = this.points[0].x;
    const last = this.points[this.points.length - 1].x;
    const y = this.chart.options.scales.y;
    // The open stays in view, so the line reads as "above or below where the day started".
    y.suggestedMin = this.open;
    y.suggestedMax = this.open;
    const lastPrice = this.lastPrice();
    const up = !(lastPrice < this.open);
    if (up !== this.up) {
      this.up = up;
      this.recolour(false);
    }
    // The last minute, or all there is until a minute has been seen.
    this.chart.options.scales.x.min = Math.max(first, last - SPARK_WINDOW_MS);
    this.chart.options.scales.x.max = Math.max(last, first + 1);
    this.chart.update('none');
  }

  lastPrice() {
    for (let i = this.points.length - 1; i >= 0; i--) if (this.points[i].y !== null) return this.points[i].y;
    return NaN;
  }

  recolour(redraw = true) {
    if (!this.chart) return;
    const c = currentColours();
    const line = this.chart.data.datasets[0];
    line.borderColor = this.up ? c.up : c.down;
    line.backgroundColor = this.up ? c.upFill : c.downFill;
    if (redraw) this.chart.update('none');
  }

  destroy() {
    charts.delete(this);
    this.chart?.destroy();
    this.chart = null;
  }
}

/**
 * The session's open as a dashed line across a sparkline. A plugin rather than a second dataset:
 * two strokes on the canvas instead of a second pass through Chart.js's dataset machinery, which
 * with fifty charts redrawn a few times a second is the larger part of the cost.
 */
function openLine(spark) {
  return {
    id: 'openLine',
    afterDatasetsDraw(chart) {
      if (!Number.isFinite(spark.open)) return;
      const { ctx, chartArea, scales } = chart;
      const y = Math.round(scales.y.getPixelForValue(spark.open)) + 0.5;
      if (y < chartArea.top || y > chartArea.bottom) return;
      ctx.save();
      ctx.strokeStyle = currentColours().muted;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(chartArea.left, y);
      ctx.lineTo(chartArea.right, y);
      ctx.stroke();
      ctx.restore();
    },
  };
}

/**
 * The comparison chart: every tick the stream delivered, and the staircase polling showed, on one
 * time axis of the last minute (seconds before now), both at the moment they reached this page.
 */
export class CompareChart {
  constructor(canvas) {
    this.ws = []; // {t, y}
    this.http = [];
    this.wsData = [];
    this.httpData = [];
    const Chart = chartLib();
    if (!Chart) return;
    const c = currentColours();
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          {
            label: 'Streaming',
            data: this.wsData,
            borderColor: c.ws,
            borderWidth: 1.5,
            pointRadius: 0,
            tension: 0,
          },
          {
            label: 'Polling',
            data: this.httpData,
            borderColor: c.http,
            backgroundColor: c.http,
            borderWidth: 2,
            // What a poller shows: the last answer, held until the next one.
            stepped: 'before',
            pointRadius: (ctx) => (ctx.dataIndex === this.httpData.length - 1 ? 0 : 3),
          },
        ],
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: {
          x: {
            type: 'linear',
            min: -COMPARE_WINDOW_MS / 1000,
            max: 0,
            ticks: {
              stepSize: 10,
              color: c.muted,
              font: { family: c.font, size: 11 },
              callback: (v) => (v === 0 ? 'now' : `${Math.round(v)} s`),
            },
            grid: { color: c.grid },
            border: { display: false },
          },
          y: {
            position: 'right',
            grace: '5%',
            ticks: { maxTicksLimit: 4, color: c.muted, font: { family: c.font, size: 11 } },
            grid: { color: c.grid },
            border: { display: false },
          },
        },
      },
    });
    charts.add(this);
  }

  reset() {
    this.ws.length = 0;
    this.http.length = 0;
  }

  pushWs(t, price) {
    this.ws.push({ t, y: price });
    this.trim(this.ws, t);
  }

  pushHttp(t, price) {
    this.http.push({ t, y: price });
    this.trim(this.http, t);
  }

  trim(series, now) {
    // Keep one point older than the window so the line enters from the left edge.
    while (series.length > 1 && series[1].t < now - COMPARE_WINDOW_MS) series.shift();
  }

  /**
   * Redraws with the time axis ending at `now` (ms) and going back `spanMs`: the comparison's age,
   * so that a fresh one fills the chart, up to the last minute.
   */
  draw(now, spanMs) {
    if (!this.chart) return;
    toRelative(this.ws, this.wsData, now, false);
    toRelative(this.http, this.httpData, now, true);
    const span = Math.min(COMPARE_WINDOW_MS, Math.max(MIN_SPAN_MS, spanMs)) / 1000;
    const x = this.chart.options.scales.x;
    x.min = -span;
    x.ticks.stepSize = span > 30 ? 10 : span > 12 ? 5 : 2;
    this.chart.update('none');
  }

  recolour() {
    if (!this.chart) return;
    const c = currentColours();
    const [ws, http] = this.chart.data.datasets;
    ws.borderColor = c.ws;
    http.borderColor = c.http;
    http.backgroundColor = c.http;
    for (const axis of Object.values(this.chart.options.scales)) {
      axis.ticks.color = c.muted;
      axis.grid.color = c.grid;
    }
    this.chart.update('none');
  }
}

/** Maps absolute times to seconds before `now`, reusing the point objects Chart.js holds. */
function toRelative(series, out, now, holdToNow) {
  const n = series.length + (holdToNow && series.length ? 1 : 0);
  while (out.length < n) out.push({ x: 0, y: 0 });
  out.length = n;
  for (let i = 0; i < series.length; i++) {
    out[i].x = (series[i].t - now) / 1000;
    out[i].y = series[i].y;
  }
  if (n > series.length) {
    // The poller's last answer is still what it shows now.
    out[n - 1].x = 0;
    out[n - 1].y = series[series.length - 1].y;
  }
}
