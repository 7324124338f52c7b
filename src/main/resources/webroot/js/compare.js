// "Push vs. polling" for one chosen symbol: the ticks the WebSocket delivers, beside what a page
// polling GET /api/quotes/{symbol}?since=<last seq> gets for the same symbol, measured the same way:
// updates seen and missed, the age of the price on screen, and the bytes each new price cost.
// Below, the server's own totals for all clients (GET /api/compare).

import { AuthRequired, getJson } from './auth.js';
import { CompareChart } from './charts.js';
import { fmtBytes, fmtDuration, fmtInt, fmtMs, fmtPct, fmtPrice } from './format.js';
import { onFrame, requestFrame } from './frame.js';

const CLOCK_MS = 250; // how often ages are sampled and shown
const CHART_EVERY_MS = 200; // the chart slides at 5 frames a second: smooth enough, and cheap
const TOTALS_EVERY_MS = 5_000;
const ANNOUNCE_EVERY_MS = 10_000;
const SELECTED_KEY = 'stockstream.selected';
/** A poll that has not answered by then is a failed poll: the next one must not wait on it. */
const POLL_TIMEOUT_MS = 10_000;

export class ComparePanel {
  /** @param clockOffset returns the server's clock minus this browser's, in ms */
  constructor(clockOffset) {
    this.clockOffset = clockOffset;
    const $ = (id) => document.getElementById(id);
    this.el = {
      select: $('cmp-symbol'),
      wsPrice: $('ws-price'),
      wsUpdates: $('ws-updates'),
      wsMissed: $('ws-missed'),
      wsAge: $('ws-age'),
      wsBytes: $('ws-bytes'),
      httpPrice: $('http-price'),
      httpUpdates: $('http-updates'),
      httpMissed: $('http-missed'),
      httpAge: $('http-age'),
      httpBytes: $('http-bytes'),
      refresh: $('http-refresh'),
      interval: $('http-interval'),
      status: $('http-status'),
      verdict: $('verdict'),
      announce: $('price-announce'),
      totals: {
        httpUpdates: $('t-http-updates'),
        wsUpdates: $('t-ws-updates'),
        httpBytes: $('t-http-bytes'),
        wsBytes: $('t-ws-bytes'),
        httpMissed: $('t-http-missed'),
        wsFanout: $('t-ws-fanout'),
        ratio: $('totals-ratio'),
      },
    };
    this.chart = new CompareChart($('cmp-canvas'));
    this.symbol = null;
    this.symbols = [];
    this.pollTimer = 0;
    this.pollGeneration = 0;
    this.lastAnnounce = 0;
    this.lastChart = 0;
    this.chartDue = false;
    this.dirty = true;
    this.reset();

    this.el.select.addEventListener('change', () => this.onChoose?.(this.el.select.value));
    this.el.refresh.addEventListener('click', () => this.pollNow());
    this.el.interval.addEventListener('change', () => this.pollNow());
    document.addEventListener('visibilitychange', () => {
      // A hidden tab shows nothing: it need not cost the server requests either.
      if (document.hidden) clearTimeout(this.pollTimer);
      else this.schedulePoll(0);
      this.showStatus();
    });
    setInterval(() => this.clockTick(), CLOCK_MS);
    onFrame((now) => this.flush(now));
  }

  /** The symbol the page chose last time, if any. */
  static remembered() {
    try {
      return localStorage.getItem(SELECTED_KEY);
    } catch {
      return null;
    }
  }

  /** Starts both sides afresh: counts, ages and the chart. */
  reset() {
    this.since = Date.now();
    this.ws = { updates: 0, missed: 0, bytes: 0, tick: null, ageSum: 0, ageN: 0 };
    this.http = { polls: 0, updates: 0, missed: 0, bytes: 0, quote: null, lastSeq: null, ageSum: 0, ageN: 0 };
    this.chart.reset();
    this.dirty = true;
    requestFrame();
  }

  /** The symbols that can be compared: the watched ones (the stream is subscribed to them). */
  setSymbols(symbols) {
    this.symbols = symbols;
    const sel = this.el.select;
    sel.replaceChildren(...symbols.map((s) => new Option(s, s)));
    if (this.symbol && symbols.includes(this.symbol)) sel.value = this.symbol;
  }

  select(symbol) {
    if (symbol === this.symbol) return;
    this.symbol = symbol;
    try {
      if (symbol) localStorage.setItem(SELECTED_KEY, symbol);
    } catch {
      // not remembered; no harm
    }
    if (symbol) this.el.select.value = symbol;
    this.reset();
    this.pollNow();
  }

  /** A tick from the stream; only the chosen symbol's count here. */
  onTick(tick, info) {
    if (tick.symbol !== this.symbol) return;
    const w = this.ws;
    if (!info.snapshot) {
      w.updates++;
      w.missed += info.missed;
      w.bytes += info.bytes;
    }
    w.tick = tick;
    this.chart.pushWs(info.arrived, tick.price);
    this.dirty = true;
    requestFrame();
  }

  /** The stream lost ticks of `symbol` for good: both sides start over from here. */
  onGap(symbol) {
    if (symbol !== this.symbol) return;
    this.reset();
    this.pollNow();
  }

  pollNow() {
    clearTimeout(this.pollTimer);
    this.poll();
  }

  intervalMs() {
    return Number(this.el.interval.value) || 0;
  }

  schedulePoll(delay) {
    clearTimeout(this.pollTimer);
    if (!this.symbol || document.hidden || this.intervalMs() === 0) return;
    this.pollTimer = setTimeout(() => this.poll(), delay);
  }

  async poll() {
    const symbol = this.symbol;
    if (!symbol) return;
    // A newer poll or a new symbol makes an answer still on its way worthless.
    const generation = ++this.pollGeneration;
    const started = performance.now();
    const h = this.http;
    const since = h.lastSeq;
    const path = `api/quotes/${encodeURIComponent(symbol)}${since === null ? '' : `?since=${since}`}`;
    try {
      const { json, response, bodyBytes } = await getJson(path, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
      if (generation !== this.pollGeneration || symbol !== this.symbol || h !== this.http) return;
      h.polls++;
      h.bytes += responseBytes(response, bodyBytes);
      h.error = null;
      if (since !== null && json.seq < since) {
        // The service restarted with a new numbering: start counting again from this answer.
        h.lastSeq = json.seq;
      } else if (since === null || json.seq > since) {
        h.updates++;
        h.missed += Number(json.missed) || 0;
        h.lastSeq = json.seq;
      }
      h.quote = json;
      h.arrived = Date.now();
      this.chart.pushHttp(h.arrived, json.price);
    } catch (e) {
      if (generation !== this.pollGeneration) return;
      h.error = e instanceof AuthRequired ? 'needs an access token' : e.message || String(e);
    }
    this.dirty = true;
    this.showStatus();
    requestFrame();
    // Start to start: "every 2 s" means a request every 2 s, however long each took.
    this.schedulePoll(Math.max(0, this.intervalMs() - (performance.now() - started)));
  }

  showStatus() {
    const every = this.intervalMs();
    let text;
    if (this.http.error) text = `Last request failed: ${this.http.error}.`;
    else if (every === 0) text = 'Polling is off: press Refresh to ask once.';
    else if (document.hidden) text = 'Paused while this tab is hidden.';
    else text = `Asking every ${fmtDuration(every)}.`;
    if (this.el.status.textContent !== text) this.el.status.textContent = text;
  }

  /** Age of the price on screen of each side, sampled for the averages; the charts slide. */
  clockTick() {
    const now = Date.now();
    const offset = this.clockOffset();
    const w = this.ws;
    const h = this.http;
    if (w.tick) {
      w.age = now - w.tick.ts + offset;
      w.ageSum += w.age;
      w.ageN++;
    }
    if (h.quote) {
      h.age = now - h.quote.ts + offset;
      h.ageSum += h.age;
      h.ageN++;
    }
    this.dirty = true;
    requestFrame();
    if (now - this.lastAnnounce >= ANNOUNCE_EVERY_MS && w.tick) {
      this.lastAnnounce = now;
      const t = w.tick;
      const move = t.changePct > 0 ? 'up' : t.changePct < 0 ? 'down' : 'unchanged';
      this.el.announce.textContent = `${t.symbol} ${fmtPrice(t.price)}, ${move} ${fmtPct(Math.abs(t.changePct)).replace('+', '')} today`;
    }
  }

  flush(now) {
    if (this.dirty) {
      this.dirty = false;
      this.chartDue = true;
      this.paint();
    }
    if (!this.chartDue) return;
    if (now - this.lastChart >= CHART_EVERY_MS) {
      this.chartDue = false;
      this.lastChart = now;
      const wall = Date.now();
      this.chart.draw(wall, wall - this.since);
    } else {
      requestFrame(); // the chart is due, not yet: the next frame looks again
    }
  }

  paint() {
    const w = this.ws;
    const h = this.http;
    const e = this.el;
    set(e.wsPrice, w.tick ? fmtPrice(w.tick.price) : '—');
    set(e.wsUpdates, fmtInt(w.updates));
    set(e.wsMissed, fmtInt(w.missed));
    set(e.wsAge, w.tick ? fmtDuration(w.age) : '—');
    set(e.wsBytes, w.updates ? fmtBytes(w.bytes / w.updates) : '—');
    set(e.httpPrice, h.quote ? fmtPrice(h.quote.price) : '—');
    set(e.httpUpdates, fmtInt(h.updates));
    set(e.httpMissed, fmtInt(h.missed));
    set(e.httpAge, h.quote ? fmtDuration(h.age) : '—');
    set(e.httpBytes, h.updates ? fmtBytes(h.bytes / h.updates) : '—');
    e.httpMissed.closest('div').classList.toggle('bad', h.missed > 0);
    const verdict = this.verdict();
    if (verdict !== this.shownVerdict) {
      this.shownVerdict = verdict;
      e.verdict.innerHTML = verdict;
    }
  }

  /**
   * One sentence that says who won, by how much, in the terms a trader cares about; as HTML, with
   * the figures in bold so that a glance finds them. Everything in it is a number or a symbol
   * (escaped all the same).
   */
  verdict() {
    const w = this.ws;
    const h = this.http;
    const sym = escapeHtml(this.symbol || '');
    if (!this.symbol) return 'Add a symbol to the watch-list to compare.';
    if (w.updates === 0 || h.polls === 0) return `Collecting both sides for ${sym}…`;
    const b = (text) => `<strong>${text}</strong>`;
    const seenBoth = h.updates + h.missed;
    const missedPct = seenBoth ? Math.round((100 * h.missed) / seenBoth) : 0;
    const parts = [
      `Over ${fmtDuration(Date.now() - this.since)}, the stream delivered ${b(fmtInt(w.updates))} updates of ${sym}` +
        (w.missed ? ` and missed ${b(fmtInt(w.missed))}` : ` and missed ${b('none')}`) +
        `; polling saw ${b(fmtInt(h.updates))} and missed ${b(`${fmtInt(h.missed)} (${missedPct}%)`)}.`,
    ];
    if (w.ageN && h.ageN) {
      parts.push(
        `Polling's price was on average ${b(fmtDuration(h.ageSum / h.ageN))} old, the stream's ${b(fmtDuration(w.ageSum / w.ageN))}.`,
      );
    }
    if (w.updates && h.updates) {
      const ratio = h.bytes / h.updates / (w.bytes / w.updates);
      if (Number.isFinite(ratio)) parts.push(`Each polled price cost ${b(`${ratio.toFixed(1)}×`)} the bytes of a pushed one.`);
    }
    return parts.join(' ');
  }

  /** Keeps the server's totals fresh while the page is shown. */
  startTotals() {
    const load = async () => {
      if (document.hidden) return;
      try {
        const { json } = await getJson('api/compare');
        this.showTotals(json);
      } catch {
        // Shown as it was; the connection state tells what is wrong.
      }
    };
    load();
    setInterval(load, TOTALS_EVERY_MS);
  }

  showTotals(c) {
    const t = this.el.totals;
    const http = c.http || {};
    const ws = c.websocket || {};
    set(t.httpUpdates, fmtInt(http.updates));
    set(t.wsUpdates, fmtInt(ws.tickFrames));
    set(t.httpBytes, fmtBytes(http.avgBytesPerUpdate));
    set(t.wsBytes, fmtBytes(ws.avgBytesPerUpdate));
    set(t.httpMissed, Number.isFinite(http.avgMissedPerPoll) ? http.avgMissedPerPoll.toFixed(1) : '—');
    set(t.wsFanout, `${fmtMs(ws.fanoutLatencyP50Ms)} / ${fmtMs(ws.fanoutLatencyP99Ms)}`);
    const ratio = http.avgBytesPerUpdate / ws.avgBytesPerUpdate;
    set(
      t.ratio,
      Number.isFinite(ratio) && ratio > 0
        ? `On this server, a polled update costs ${ratio.toFixed(1)}× the bytes of a pushed one, and a poll misses ${
            Number.isFinite(http.avgMissedPerPoll) ? http.avgMissedPerPoll.toFixed(1) : 'some'
          } updates on average.`
        : '',
    );
  }
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function set(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * What one quote response cost on the wire. Resource Timing has the exact figure (status line,
 * headers and body as received); when it is not there, the headers visible to the page are summed.
 * The request is not visible to a page: the server's totals below count it too.
 */
function responseBytes(response, bodyBytes) {
  const entries = performance.getEntriesByName(response.url, 'resource');
  const entry = entries[entries.length - 1];
  if (entries.length) performance.clearResourceTimings(); // the buffer is small; keep it empty
  if (entry && entry.transferSize > 0) return entry.transferSize;
  let head = `HTTP/1.1 ${response.status} ${response.statusText}\r\n`.length + 2;
  response.headers.forEach((value, name) => (head += name.length + value.length + 4));
  return head + bodyBytes;
}
