// The dashboard's entry point: wires the connection to the views. Each module owns one concern;
// this file only says who hears what.

import { getJson, initAuth, onToken } from './auth.js';
import { watchColourScheme } from './charts.js';
import { ComparePanel } from './compare.js';
import { StreamConnection } from './connection.js';
import { LatencyWindow, showLatency } from './latency.js';
import { StatusView } from './status.js';
import { TileGrid, Watchlist } from './watchlist.js';

initAuth();
watchColourScheme();

const status = new StatusView();
const latency = new LatencyWindow();
showLatency(latency);
const watchlist = new Watchlist();
const compare = new ComparePanel(() => conn.clockOffset);
const grid = new TileGrid(document.getElementById('tiles'), { onSelect: choose, onRemove: remove });
const addForm = document.getElementById('add-form');
const addInput = document.getElementById('add-input');
const addError = document.getElementById('add-error');
const options = document.getElementById('symbol-options');

/** Every symbol the server has (from `welcome`), and their names (from /api/symbols). */
let known = [];
let names = new Map();
let namesLoaded = false;

const conn = new StreamConnection({
  onState: (state, detail) => status.setState(state, detail),
  onLog: (kind, text, data) => status.log(kind, text, data),
  onWelcome(f) {
    known = Array.isArray(f.symbols) ? f.symbols : [];
    if (f.market) status.market(f.market);
    const dropped = watchlist.reconcile(known);
    if (dropped.length) status.log('pruned', `No longer offered by the server, removed: ${dropped.join(', ')}.`);
    showWatched(watchlist.list());
    fillOptions();
    if (!namesLoaded) loadNames();
  },
  onTick(tick, info) {
    grid.tick(tick, info);
    compare.onTick(tick, info);
    latency.add(info.arrived, info.latency);
  },
  onPresence: (symbol, viewers) => grid.presence(symbol, viewers),
  onMarket(state, ts) {
    status.market(state);
    status.log('market', `The market ${state === 'open' ? 'opened' : 'closed'}.`, { ts });
  },
  onGap(symbols) {
    const now = Date.now();
    status.gap(symbols);
    for (const s of symbols) {
      grid.gap(s, now);
      compare.onGap(s);
    }
  },
  onServerError(f) {
    if (f.code === 'unknown_symbol' && Array.isArray(f.symbols)) {
      for (const s of f.symbols) watchlist.remove(s);
    } else if (f.code === 'too_many_subscriptions') {
      // The server refused the whole request: take back the symbols that never got a tick, so
      // the page shows what it really receives.
      for (const s of watchlist.list()) if (!conn.lastSeq.has(s)) watchlist.remove(s);
      addError.textContent = 'The server allows no more symbols on one connection.';
    }
  },
});

watchlist.onChange((symbols) => {
  showWatched(symbols);
  fillOptions();
});

/** Makes the tiles, the subscriptions and the comparison agree with the watch-list. */
function showWatched(symbols) {
  grid.setSymbols(symbols);
  conn.setSymbols(symbols);
  compare.setSymbols(symbols);
  const keep = compare.symbol && symbols.includes(compare.symbol) ? compare.symbol : null;
  const remembered = ComparePanel.remembered();
  choose(keep || (symbols.includes(remembered) ? remembered : symbols[0] || null));
}

function choose(symbol) {
  compare.select(symbol);
  grid.select(symbol);
}

compare.onChoose = choose;

function remove(symbol) {
  const list = watchlist.list();
  const i = list.indexOf(symbol);
  const next = list[i + 1] || list[i - 1];
  watchlist.remove(symbol);
  // Keyboard users stay where they were: on the neighbouring tile, or on the add field.
  (next && grid.focusTarget(next) ? grid.focusTarget(next) : addInput).focus();
}

/** The add field's suggestions: what the server has that is not watched yet. */
function fillOptions() {
  const watched = new Set(watchlist.list());
  options.replaceChildren(
    ...known
      .filter((s) => !watched.has(s))
      .map((s) => {
        const o = document.createElement('option');
        o.value = s;
        const name = names.get(s);
        if (name && name !== s) o.label = name;
        return o;
      }),
  );
}

addForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const symbol = addInput.value.trim().toUpperCase();
  if (!symbol) {
    addError.textContent = 'Type a symbol, e.g. NFLX.';
  } else if (!known.includes(symbol)) {
    addError.textContent = known.length
      ? `${symbol} is not offered by this server.`
      : 'Not connected yet: the list of symbols is still unknown.';
  } else if (watchlist.has(symbol)) {
    addError.textContent = `${symbol} is already on the watch-list.`;
  } else {
    addError.textContent = '';
    addInput.value = '';
    watchlist.add(symbol);
    return;
  }
  addInput.focus();
});
addInput.addEventListener('input', () => (addError.textContent = ''));

async function loadNames() {
  namesLoaded = true;
  try {
    const { json } = await getJson('api/symbols');
    names = new Map(json.symbols.map((s) => [s.symbol, s.name]));
    grid.setNames(names);
    fillOptions();
  } catch {
    namesLoaded = false; // tried again at the next welcome
  }
}

onToken(() => {
  // A new token: reconnect at once with it, and retry what REST could not do without it.
  status.log('token', 'Token received; connecting with it.');
  conn.reconnectNow();
  compare.pollNow();
  if (!namesLoaded) loadNames();
});

setInterval(() => status.showFacts(conn.stats, conn.epoch), 1000);
compare.startTotals();
conn.start();
