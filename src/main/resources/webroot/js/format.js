// Number and time formatting shared by the views. The formatters are built once: Intl objects
// are costly to create and the tiles format a few values per tick.

const price2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const signed2 = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const clock = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export const fmtPrice = (v) => (Number.isFinite(v) ? price2.format(v) : '—');
export const fmtSigned = (v) => (Number.isFinite(v) ? signed2.format(v) : '—');
export const fmtPct = (v) => (Number.isFinite(v) ? `${signed2.format(v)}%` : '');
export const fmtInt = (v) => (Number.isFinite(v) ? int.format(v) : '—');
export const fmtClock = (ms) => clock.format(new Date(ms));

/** Bytes as "123 B" or "1.2 kB": the sizes here are a frame or a response, never large. */
export function fmtBytes(v) {
  if (!Number.isFinite(v)) return '—';
  return v < 1000 ? `${int.format(v)} B` : `${one.format(v / 1000)} kB`;
}

/** A duration for a person: "12 ms" below a second, "1.3 s" up to a minute, then "2 min". */
export function fmtDuration(ms) {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${int.format(ms)} ms`;
  if (ms < 60_000) return `${one.format(ms / 1000)} s`;
  return `${int.format(ms / 60_000)} min`;
}

/** A latency in milliseconds, with a decimal below 10 ms where it matters. */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '—';
  return ms < 10 ? `${one.format(ms)} ms` : `${int.format(ms)} ms`;
}

/** The UTF-8 length of a string, without allocating: frames are ASCII but names need not be. */
export function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++; // the low half of a surrogate pair is part of the same code point
    } else n += 3;
  }
  return n;
}

/** What a server-to-client WebSocket frame of this payload costs on the wire (RFC 6455 header). */
export function wsFrameBytes(payload) {
  return payload + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
}
