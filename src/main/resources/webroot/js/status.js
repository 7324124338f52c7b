// What the page tells about the connection and the market: the state pill in the header (with a
// countdown while it waits to reconnect), one spoken announcement per change of state, the market
// banner, the gap notice, and a short log of connection events, newest first.

import { fmtClock } from './format.js';

const LOG_LIMIT = 40;

const STATE_TEXT = {
  idle: () => 'Starting…',
  connecting: () => 'Connecting…',
  live: () => 'Live',
  reconnecting: (s) => `Reconnecting in ${s}`,
  draining: (s) => `Server restarting · back in ${s}`,
  auth: () => 'Access token needed',
};

const SPOKEN = {
  idle: 'starting',
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'lost, reconnecting',
  draining: 'the server is restarting, reconnecting shortly',
  auth: 'an access token is needed',
};

export class StatusView {
  constructor() {
    const $ = (id) => document.getElementById(id);
    this.pill = $('conn-state');
    this.pillText = $('conn-text');
    this.announce = $('conn-announce');
    this.marketChip = $('market-chip');
    this.marketBanner = $('market-banner');
    this.gapNotice = $('gap-notice');
    this.gapText = $('gap-text');
    this.logList = $('log');
    this.facts = { reconnects: $('reconnects'), recovered: $('recovered'), gaps: $('gaps'), epoch: $('epoch') };
    this.gapSymbols = new Set();
    this.state = 'idle';
    this.retryAt = 0;
    this.countdown = 0;
    $('gap-dismiss').addEventListener('click', () => {
      this.gapSymbols.clear();
      this.gapNotice.hidden = true;
    });
  }

  setState(state, detail = {}) {
    const changed = state !== this.state;
    this.state = state;
    this.retryAt = detail.retryAt || 0;
    this.pill.dataset.state = state;
    this.renderPill();
    clearInterval(this.countdown);
    if (this.retryAt) this.countdown = setInterval(() => this.renderPill(), 250);
    // The pill's countdown changes four times a second; a screen reader hears each state once.
    if (changed) this.announce.textContent = `Connection: ${SPOKEN[state]}`;
  }

  renderPill() {
    const left = Math.max(0, this.retryAt - Date.now());
    const text = STATE_TEXT[this.state](`${(left / 1000).toFixed(1)} s`);
    if (this.pillText.textContent !== text) this.pillText.textContent = text;
  }

  market(status) {
    this.marketChip.dataset.market = status;
    this.marketChip.textContent = status === 'open' ? 'Market open' : 'Market closed';
    this.marketBanner.hidden = status !== 'closed';
  }

  gap(symbols) {
    for (const s of symbols) this.gapSymbols.add(s);
    const list = [...this.gapSymbols];
    this.gapText.textContent =
      `Updates were lost while disconnected: the server could not replay what ${list.length === 1 ? 'this symbol' : 'these symbols'} missed` +
      ` (${list.join(', ')}), most likely because it restarted. Prices shown are current; the charts show the break.`;
    this.gapNotice.hidden = false;
  }

  showFacts(stats, epoch) {
    const f = this.facts;
    set(f.reconnects, String(stats.reconnects));
    set(f.recovered, String(stats.recovered));
    set(f.gaps, String(stats.gaps));
    set(f.epoch, epoch || '—');
  }

  /**
   * Adds a line to the connection log; `data` ends up as data-* attributes, for tools and tests.
   * A retry after a retry replaces it: a long outage is one line that counts, not a flood.
   */
  log(kind, text, data = {}) {
    const newest = this.logList.firstElementChild;
    if (kind === 'retry' && newest?.dataset.kind === 'retry') newest.remove();
    const li = document.createElement('li');
    const now = Date.now();
    li.dataset.kind = kind;
    li.dataset.t = String(now);
    for (const [k, v] of Object.entries(data)) {
      if (v !== undefined) li.dataset[k] = Array.isArray(v) ? v.join(',') : String(v);
    }
    const time = document.createElement('time');
    time.dateTime = new Date(now).toISOString();
    time.textContent = fmtClock(now);
    li.append(time, ' ', text);
    this.logList.prepend(li);
    while (this.logList.childElementCount > LOG_LIMIT) this.logList.lastElementChild.remove();
  }
}

function set(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
