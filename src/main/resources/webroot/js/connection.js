// The one WebSocket of the page: connects to /ws of the page's own origin, keeps the wanted
// subscriptions, and comes back after any loss without losing a tick.
//
// Resuming: the page remembers the last seq it saw of each symbol and the epoch those seqs belong
// to. After a reconnect it subscribes with {since, epoch}; the server then replays what was missed,
// or, when it no longer can (or the epoch changed: a whole-service restart), sends the latest tick
// and names the symbol in `gaps`. So the page either has every tick or knows which ones it lacks.

import { authUrl, probeAuth, requireToken } from './auth.js';
import { utf8Length, wsFrameBytes } from './format.js';

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15_000;
/** A connection that stayed up this long was a real recovery: the next loss starts over at BASE. */
const STABLE_MS = 5_000;
/** Application pings measure the clock offset and prove the connection is alive. */
const PING_EVERY_MS = 15_000;
/** Silence this long (not even a pong) means a dead connection the browser has not noticed. */
const SILENCE_LIMIT_MS = 40_000;
/** Pongs kept for the clock-offset estimate; the one with the shortest round trip wins. */
const OFFSET_SAMPLES = 8;

export class StreamConnection {
  /**
   * @param handlers callbacks, all optional: onState(state, detail), onWelcome(frame),
   *   onTick(tick, info), onPresence(symbol, viewers), onMarket(status, ts), onGap(symbols, detail),
   *   onResume(symbols), onServerError(frame), onLog(kind, text)
   */
  constructor(handlers) {
    this.h = handlers;
    /** The symbols the page wants, in the order it shows them. */
    this.wanted = new Set();
    /** symbol -> last seq seen, in the numbering named by this.epoch. */
    this.lastSeq = new Map();
    this.epoch = null;
    this.state = 'idle';
    this.ws = null;
    this.welcomed = false;
    this.attempt = 0;
    /** Connection attempts that failed since the last welcome. */
    this.failures = 0;
    this.retryTimer = 0;
    this.stableTimer = 0;
    this.pingTimer = 0;
    this.drainAfterMs = null;
    this.everWelcomed = false;
    this.openedAt = 0;
    this.lastHeard = 0;
    this.nextRef = 1;
    this.pings = new Map();
    this.offsets = [];
    /** server clock minus this browser's clock, in ms: 0 until the first pong. */
    this.clockOffset = 0;
    /** Symbols resumed with since on this connection: their ticks older than it are replays. */
    this.resumed = new Set();
    this.resumeRef = null;
    this.stats = { reconnects: 0, recovered: 0, gaps: 0, duplicates: 0 };

    addEventListener('online', () => {
      // The network is back: no reason to sit out the rest of a long backoff.
      if (this.state === 'reconnecting') this.reconnectNow();
    });
  }

  start() {
    this.connect();
  }

  /** Skips any wait and connects now (a new token, the network back). */
  reconnectNow() {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.connect();
  }

  /** Makes the subscriptions of this connection, and of every later one, exactly `symbols`. */
  setSymbols(symbols) {
    const next = new Set(symbols);
    const added = symbols.filter((s) => !this.wanted.has(s));
    const removed = [...this.wanted].filter((s) => !next.has(s));
    this.wanted = next;
    // A symbol dropped on purpose has no hole to fill later: forget where it was.
    for (const s of removed) this.lastSeq.delete(s);
    if (!this.welcomed) return; // the next welcome subscribes to all of them
    if (added.length) this.send({ op: 'subscribe', symbols: added, ref: this.ref() });
    if (removed.length) this.send({ op: 'unsubscribe', symbols: removed, ref: this.ref() });
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.detach();
    const url = authUrl('ws');
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.setState('connecting');
    // Once per outage: the attempts after a failed one are summed up by the 'retry' entry.
    if (this.failures === 0) this.log('connecting', `Connecting to ${url.host}…`);
    const ws = new WebSocket(url);
    this.ws = ws;
    this.welcomed = false;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.openedAt = Date.now();
      this.lastHeard = this.openedAt;
    };
    ws.onmessage = (e) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      this.onFrame(e.data);
    };
    ws.onclose = (e) => {
      if (ws !== this.ws) return;
      this.onClosed(e.code, e.reason);
    };
    // An error is always followed by close, which carries all there is to know.
    ws.onerror = () => {};
  }

  /** Stops listening to the current socket, if any, and closes it. */
  detach() {
    clearTimeout(this.stableTimer);
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    this.pings.clear();
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState <= WebSocket.OPEN) ws.close(4000, 'reconnecting');
    }
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  ref() {
    return this.nextRef++;
  }

  onFrame(text) {
    let f;
    try {
      f = JSON.parse(text);
    } catch {
      this.log('error', 'The server sent a frame that is not JSON; ignored.');
      return;
    }
    switch (f.type) {
      case 'tick':
        this.onTickFrame(f, wsFrameBytes(utf8Length(text)), false);
        break;
      case 'welcome':
        this.onWelcome(f);
        break;
      case 'subscribed':
        this.onSubscribed(f);
        break;
      case 'presence':
        this.h.onPresence?.(f.symbol, f.viewers);
        break;
      case 'market':
        this.h.onMarket?.(f.status, f.ts);
        break;
      case 'pong':
        this.onPong(f);
        break;
      case 'draining':
        this.drainAfterMs = Math.max(0, Number(f.reconnectAfterMs) || 0);
        this.setState('draining', { retryAt: Date.now() + this.drainAfterMs });
        this.log(
          'draining',
          `The server is shutting down (draining) and asked to come back in ${(this.drainAfterMs / 1000).toFixed(1)} s.`,
          { reconnectAfterMs: this.drainAfterMs },
        );
        break;
      case 'error':
        this.log('error', `Server: ${f.code}: ${f.message}`);
        this.h.onServerError?.(f);
        break;
      case 'unsubscribed':
        break;
      default:
        // A newer server may send more kinds of frame; this page ignores what it does not know.
        break;
    }
  }

  onWelcome(f) {
    this.failures = 0;
    if (this.everWelcomed) this.stats.reconnects++;
    this.everWelcomed = true;
    // May set the wanted symbols (pruned to what this server knows); they are subscribed below,
    // in one request that carries the resume, so `welcomed` is set only after it.
    this.h.onWelcome?.(f);
    this.welcomed = true;
    const symbols = [...this.wanted];
    const since = {};
    for (const s of symbols) {
      if (this.lastSeq.has(s)) since[s] = this.lastSeq.get(s);
    }
    this.resumed = new Set(Object.keys(since));
    this.resumeRef = null;
    if (symbols.length) {
      const msg = { op: 'subscribe', symbols, ref: this.ref() };
      if (this.resumed.size) {
        // The epoch of the seqs we saw, not the new one: the server decides whether they still count.
        msg.since = since;
        msg.epoch = this.epoch;
        this.resumeRef = msg.ref;
      }
      this.send(msg);
    }
    if (this.epoch !== f.epoch && this.epoch !== null) {
      this.log('epoch', `The server's numbering changed (epoch ${f.epoch}): it restarted without its history.`);
    }
    this.epoch = f.epoch;
    this.setState('live');
    this.log('live', this.stats.reconnects ? 'Reconnected.' : 'Connected.', { connectionId: f.connectionId });
    this.stableTimer = setTimeout(() => (this.attempt = 0), STABLE_MS);
    // A few pings early, while the page may still be busy starting: the quickest one counts.
    for (const after of [0, 1000, 2500]) setTimeout(() => this.welcomed && this.ping(), after);
    this.pingTimer = setInterval(() => this.heartbeat(), PING_EVERY_MS);
  }

  onSubscribed(f) {
    const gaps = Array.isArray(f.gaps) ? f.gaps : [];
    const isResume = f.ref !== undefined && f.ref === this.resumeRef;
    // A gap's snapshot tick starts a new run of seqs: accept it whatever its number. The views
    // hear of the gap first, so that the break in a chart falls before that tick, not after it.
    for (const s of gaps) {
      this.lastSeq.delete(s);
      this.resumed.delete(s);
    }
    if (gaps.length) {
      this.stats.gaps += gaps.length;
      this.log('gap', `Gap: the server could not replay what was missed of ${gaps.join(', ')}; showing its latest price.`, {
        symbols: gaps,
      });
      this.h.onGap?.(gaps);
    }
    for (const tick of f.snapshot || []) this.onTickFrame(tick, 0, true);
    if (isResume && this.resumed.size) {
      this.log('resumed', `Resumed ${[...this.resumed].join(', ')} from the last tick seen: nothing lost.`, {
        symbols: [...this.resumed],
      });
      this.h.onResume?.([...this.resumed]);
    }
  }

  onTickFrame(tick, bytes, snapshot) {
    const s = tick.symbol;
    // Ticks still in flight when a symbol was removed: the page no longer shows it.
    if (!this.wanted.has(s)) return;
    const last = this.lastSeq.get(s);
    let missed = 0;
    if (last !== undefined) {
      if (tick.seq <= last) {
        // The server promises no duplicate; should one come, the screen must not go back.
        this.stats.duplicates++;
        return;
      }
      missed = tick.seq - last - 1; // conflation, when this page could not keep up
    }
    this.lastSeq.set(s, tick.seq);
    const arrived = Date.now();
    const replayed = !snapshot && this.resumed.has(s) && tick.ts - this.clockOffset < this.openedAt;
    if (replayed) this.stats.recovered++;
    this.h.onTick?.(tick, {
      bytes,
      missed,
      snapshot,
      replayed,
      arrived,
      // In this browser's clock: arrival minus the moment the server made the tick.
      latency: snapshot || replayed ? NaN : arrived - tick.ts + this.clockOffset,
    });
  }

  ping() {
    const ref = this.ref();
    this.pings.set(ref, Date.now());
    this.send({ op: 'ping', ref });
  }

  heartbeat() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      this.log('dead', 'No word from the server for a while: reconnecting.');
      this.detach();
      this.scheduleRetry(this.backoff());
      return;
    }
    this.ping();
  }

  onPong(f) {
    const sent = this.pings.get(f.ref);
    if (sent === undefined) return;
    this.pings.delete(f.ref);
    const now = Date.now();
    const rtt = now - sent;
    // NTP's idea: the server read its clock about halfway through the round trip.
    this.offsets.push({ rtt, offset: f.serverTime - (sent + rtt / 2) });
    if (this.offsets.length > OFFSET_SAMPLES) this.offsets.shift();
    let best = this.offsets[0];
    for (const o of this.offsets) if (o.rtt < best.rtt) best = o;
    // The estimate is only good to half a round trip (a busy page reads the pong late). Within
    // that, the clocks cannot be told apart: correcting would only add the error.
    this.clockOffset = Math.abs(best.offset) > best.rtt / 2 ? best.offset : 0;
  }

  async onClosed(code, reason) {
    const welcomed = this.welcomed;
    this.detach();
    if (this.drainAfterMs !== null) {
      // The server spread its clients over a few seconds: keep to the moment it gave us.
      const wait = this.drainAfterMs;
      this.drainAfterMs = null;
      this.attempt = 0;
      this.scheduleRetry(wait, 'draining');
      return;
    }
    if (!welcomed) {
      this.failures++;
      // A refused handshake looks like any network failure from here; a 401 must not be retried
      // forever, so ask the REST side, which answers 401 for the same reasons.
      this.setState('connecting');
      if (await probeAuth()) {
        if (this.ws) return; // a new token came while we asked
        this.setState('auth');
        this.log('auth', 'The server wants an access token.');
        requireToken();
        return;
      }
      if (this.ws) return;
      this.scheduleRetry(this.backoff());
      return;
    }
    this.log('closed', `Connection lost: ${closeReason(code, reason)}.`, { code });
    this.scheduleRetry(this.backoff());
  }

  /** Exponential backoff with equal jitter: never zero, never all clients at once. */
  backoff() {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt++;
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  scheduleRetry(ms, state = 'reconnecting') {
    clearTimeout(this.retryTimer);
    this.setState(state, { retryAt: Date.now() + ms });
    if (state === 'reconnecting') {
      const next = `next attempt in ${(ms / 1000).toFixed(1)} s`;
      const text = this.failures > 1 ? `Still unreachable after ${this.failures} attempts; ${next}.` : `Reconnecting: ${next}.`;
      this.log('retry', text, { delayMs: Math.round(ms), attempts: this.failures });
    }
    this.retryTimer = setTimeout(() => this.connect(), ms);
  }

  setState(state, detail = {}) {
    this.state = state;
    this.h.onState?.(state, detail);
  }

  log(kind, text, data) {
    this.h.onLog?.(kind, text, data);
  }
}

/** A close code in words (RFC 6455 and the codes this service uses). */
function closeReason(code, reason) {
  const words = {
    1000: 'closed normally',
    1001: 'the server is going away',
    1006: 'the connection dropped',
    1008: 'refused by the server (too many requests)',
    1009: 'a message was too big',
    1011: 'an error on the server',
    1013: 'this page could not keep up',
  }[code];
  return `${words || 'closed'} (${code}${reason ? `, ${reason}` : ''})`;
}
