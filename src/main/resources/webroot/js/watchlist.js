// The watch-list (which symbols, kept in localStorage) and its tiles.
//
// Tiles never change size: every line has a fixed height and the numbers use tabular figures, so
// a tick repaints a few glyphs and moves nothing (no layout shift, no reflow of the grid). A tick
// only records the newest state; the tiles are written once per animation frame, and only those
// that changed, and of those only the ones on screen (the others catch up when scrolled to).
// Charts are the expensive part: each is redrawn at most every CHART_EVERY_MS, only while on
// screen, and never more than CHART_DRAWS_PER_FRAME in one frame.

import { Sparkline } from './charts.js';
import { fmtInt, fmtPct, fmtPrice, fmtSigned } from './format.js';
import { onFrame, requestFrame } from './frame.js';

const KEY = 'stockstream.watchlist';
/** Well-known tickers of the built-in market; a server with other symbols gets its first six. */
const DEFAULT_SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'TSLA'];
const CHART_EVERY_MS = 400;
const CHART_DRAWS_PER_FRAME = 4;

/** The watched symbols, in the order the user added them, persisted in localStorage. */
export class Watchlist {
  constructor() {
    this.symbols = load();
    this.listeners = [];
  }

  /** Keeps only what the server knows; a first visit gets the default list. Returns the dropped. */
  reconcile(known) {
    const knownSet = new Set(known);
    if (this.symbols === null) {
      const defaults = DEFAULT_SYMBOLS.filter((s) => knownSet.has(s));
      this.symbols = defaults.length ? defaults : known.slice(0, DEFAULT_SYMBOLS.length);
      this.save();
      return [];
    }
    const dropped = this.symbols.filter((s) => !knownSet.has(s));
    if (dropped.length) {
      this.symbols = this.symbols.filter((s) => knownSet.has(s));
      this.save();
    }
    return dropped;
  }

  list() {
    return this.symbols ? [...this.symbols] : [];
  }

  has(symbol) {
    return !!this.symbols && this.symbols.includes(symbol);
  }

  add(symbol) {
    if (this.has(symbol)) return;
    this.symbols = [...(this.symbols || []), symbol];
    this.save();
  }

  remove(symbol) {
    if (!this.has(symbol)) return;
    this.symbols = this.symbols.filter((s) => s !== symbol);
    this.save();
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(this.symbols));
    } catch {
      // storage full or disabled: the list still works for this visit
    }
    for (const l of this.listeners) l(this.list());
  }
}

function load() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY));
    return Array.isArray(v) ? v.filter((s) => typeof s === 'string') : null;
  } catch {
    return null;
  }
}

/** The tiles of the watched symbols. */
export class TileGrid {
  /**
   * @param list the <ul> to fill
   * @param onSelect called with a symbol when its tile is chosen for the comparison
   * @param onRemove called with a symbol when its remove button is used
   */
  constructor(list, { onSelect, onRemove }) {
    this.list = list;
    this.template = document.getElementById('tile-template');
    this.empty = document.getElementById('tiles-empty');
    this.onSelect = onSelect;
    this.onRemove = onRemove;
    this.tiles = new Map();
    this.names = new Map();
    this.dirty = new Set();
    this.chartsDue = new Set();
    this.selected = null;
    this.visibility = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const tile = this.tiles.get(e.target.dataset.symbol);
        if (!tile) continue;
        tile.visible = e.isIntersecting;
        if (tile.visible) {
          // Back on screen: show what came while it was away, without a flash for it.
          tile.quiet = true;
          this.dirty.add(tile);
          if (tile.spark.dirty) this.chartsDue.add(tile);
        }
      }
      requestFrame();
    });
    onFrame((now) => this.flush(now));
  }

  /** Shows exactly these symbols, in this order; tiles of symbols kept keep their state. */
  setSymbols(symbols) {
    const keep = new Set(symbols);
    for (const [symbol, tile] of this.tiles) {
      if (keep.has(symbol)) continue;
      this.visibility.unobserve(tile.el);
      tile.spark.destroy();
      tile.el.remove();
      this.tiles.delete(symbol);
      this.dirty.delete(tile);
      this.chartsDue.delete(tile);
    }
    for (const symbol of symbols) {
      const tile = this.tiles.get(symbol) || this.create(symbol);
      this.list.appendChild(tile.el); // moves an existing tile into order; cheap, rare
      // Chart.js measures its canvas in the document: only now can the chart be made.
      tile.spark ??= new Sparkline(tile.el.querySelector('canvas'));
    }
    this.empty.hidden = symbols.length > 0;
  }

  create(symbol) {
    const el = this.template.content.firstElementChild.cloneNode(true);
    el.dataset.symbol = symbol;
    el.dataset.seq = '0';
    const $ = (sel) => el.querySelector(sel);
    const tile = {
      symbol,
      el,
      price: $('.price'),
      chg: $('.chg'),
      pct: $('.pct'),
      arrow: $('.arrow'),
      high: $('.high'),
      low: $('.low'),
      viewers: $('.viewers-n'),
      select: $('.tile-select'),
      tick: null,
      shown: null,
      flash: 0,
      viewerCount: null,
      shownViewers: null,
      visible: true,
      quiet: false,
      lastChart: 0,
    };
    $('.sym').textContent = symbol;
    this.applyName(tile);
    tile.select.setAttribute('aria-label', `${symbol}: compare push and polling`);
    $('.tile-remove').setAttribute('aria-label', `Remove ${symbol} from the watch-list`);
    tile.select.addEventListener('click', () => this.onSelect(symbol));
    $('.tile-remove').addEventListener('click', () => this.onRemove(symbol));
    tile.spark = null;
    if (symbol === this.selected) this.markSelected(tile, true);
    this.tiles.set(symbol, tile);
    this.visibility.observe(el);
    return tile;
  }

  setNames(names) {
    this.names = names;
    for (const tile of this.tiles.values()) this.applyName(tile);
  }

  applyName(tile) {
    const name = this.names.get(tile.symbol);
    const el = tile.el.querySelector('.name');
    // Symbols the built-in market does not know are named after themselves: say it once.
    el.textContent = name && name !== tile.symbol ? name : '';
    el.title = el.textContent;
  }

  /** Records a tick; the tile shows it at the next frame. */
  tick(tick, info) {
    const tile = this.tiles.get(tick.symbol);
    if (!tile) return;
    tile.tick = tick;
    tile.spark.push(info.arrived, tick.price, tick.open);
    this.dirty.add(tile);
    requestFrame();
  }

  /** The seqs before the next tick of `symbol` are lost for good: the chart shows a break. */
  gap(symbol, at) {
    const tile = this.tiles.get(symbol);
    if (!tile) return;
    tile.spark.gap(at);
    tile.shown = null; // no flash: the jump is not one move of the price
  }

  presence(symbol, viewers) {
    const tile = this.tiles.get(symbol);
    if (!tile) return;
    tile.viewerCount = viewers;
    this.dirty.add(tile);
    requestFrame();
  }

  select(symbol) {
    if (this.selected === symbol) return;
    const old = this.tiles.get(this.selected);
    if (old) this.markSelected(old, false);
    this.selected = symbol;
    const now = this.tiles.get(symbol);
    if (now) this.markSelected(now, true);
  }

  markSelected(tile, on) {
    tile.el.classList.toggle('selected', on);
    tile.select.setAttribute('aria-pressed', String(on));
  }

  /** The focusable element of a symbol's tile, for keeping keyboard focus after a removal. */
  focusTarget(symbol) {
    return this.tiles.get(symbol)?.select;
  }

  flush(now) {
    for (const tile of this.dirty) this.paint(tile);
    this.dirty.clear();
    let budget = CHART_DRAWS_PER_FRAME;
    for (const tile of this.chartsDue) {
      if (budget === 0) break;
      if (!tile.visible || !tile.spark.dirty) {
        this.chartsDue.delete(tile);
        continue;
      }
      if (now - tile.lastChart < CHART_EVERY_MS) continue;
      tile.spark.draw();
      tile.lastChart = now;
      budget--;
      this.chartsDue.delete(tile);
    }
    if (this.chartsDue.size) requestFrame();
  }

  paint(tile) {
    const t = tile.tick;
    // The seq is cheap (no style depends on it) and tells tools how far the tile is.
    if (t) tile.el.dataset.seq = String(t.seq);
    if (!tile.visible) return;
    if (t && t !== tile.shown) {
      const before = tile.quiet ? null : tile.shown;
      tile.quiet = false;
      tile.price.textContent = fmtPrice(t.price);
      tile.chg.textContent = fmtSigned(t.change);
      tile.pct.textContent = `(${fmtPct(t.changePct)})`;
      tile.high.textContent = fmtPrice(t.high);
      tile.low.textContent = fmtPrice(t.low);
      const dir = t.change > 0 ? 'up' : t.change < 0 ? 'down' : 'flat';
      if (tile.el.dataset.dir !== dir) {
        tile.el.dataset.dir = dir;
        tile.arrow.textContent = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '';
      }
      if (before && t.price !== before.price) {
        // Alternating between two identical animations restarts the flash without a reflow.
        tile.flash ^= 1;
        tile.el.dataset.flash = `${t.price > before.price ? 'up' : 'down'}${tile.flash}`;
      }
      tile.shown = t;
    }
    if (tile.viewerCount !== tile.shownViewers) {
      tile.viewers.textContent = fmtInt(tile.viewerCount);
      tile.shownViewers = tile.viewerCount;
    }
    if (tile.spark.dirty && tile.visible) this.chartsDue.add(tile);
  }
}
