// The access token, when the service has auth on. Browsers cannot set headers on a WebSocket, so
// the token travels as ?access_token= on /ws and, for one rule everywhere, on /api too. It lives in
// sessionStorage: it survives a reload but not the tab, and other tabs never see it.

import { utf8Length } from './format.js';

const KEY = 'stockstream.token';

let dialog;
let form;
let input;
let error;
const listeners = [];

/** The token, or '' when none was given. */
export function token() {
  try {
    return sessionStorage.getItem(KEY) || '';
  } catch {
    return ''; // storage can be disabled; the page then works only without auth
  }
}

function store(value) {
  try {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  } catch {
    // see token()
  }
}

/** A URL of this page's origin (relative to the page, so a path prefix works) with the token. */
export function authUrl(path) {
  const url = new URL(path, document.baseURI);
  const t = token();
  if (t) url.searchParams.set('access_token', t);
  return url;
}

/** Thrown by {@link getJson} on 401: the caller stops; the token form is already up. */
export class AuthRequired extends Error {
  constructor() {
    super('access token required');
    this.name = 'AuthRequired';
  }
}

/**
 * GETs JSON from the service. Resolves to {json, response, bodyBytes}; a 401 shows the token form
 * and rejects with AuthRequired; any other failure rejects with an Error that says what went wrong.
 */
export async function getJson(path, init = {}) {
  const used = token();
  const response = await fetch(authUrl(path), {
    cache: 'no-store',
    headers: { Accept: 'application/json' },
    ...init,
  });
  if (response.status === 401) {
    await response.body?.cancel();
    requireToken(used);
    throw new AuthRequired();
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && body.message) message = body.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  const text = await response.text();
  return { json: JSON.parse(text), response, bodyBytes: utf8Length(text) };
}

/**
 * Whether the service refuses us for want of a token. A failed WebSocket handshake does not tell
 * the page its status code, so after one the page asks the REST side, which has the same rule.
 */
export async function probeAuth() {
  const used = token();
  try {
    const response = await fetch(authUrl('api/symbols'), { cache: 'no-store' });
    await response.body?.cancel();
    // A token given meanwhile has not been tried yet: this answer says nothing about it.
    return response.status === 401 && used === token();
  } catch {
    return false; // the service is down, not refusing us
  }
}

/** Calls back when the user gave a new token. */
export function onToken(listener) {
  listeners.push(listener);
}

/**
 * Shows the token form (once, however many parts of the page ask), because `used` was refused.
 * A refusal of a token that has been replaced since is old news and changes nothing.
 */
export function requireToken(used = token()) {
  if (!dialog || dialog.open || used !== token()) return;
  const had = token();
  // A token we already had was refused: say so, and drop it so it is not sent again.
  error.textContent = had ? 'That token was refused (invalid or expired). Paste a new one.' : '';
  if (had) store('');
  input.value = '';
  dialog.showModal();
  input.focus();
}

/** Wires the token form; call once the DOM is there. */
export function initAuth() {
  dialog = document.getElementById('auth-dialog');
  form = document.getElementById('auth-form');
  input = document.getElementById('auth-token');
  error = document.getElementById('auth-error');
  form.addEventListener('submit', (e) => {
    const value = input.value.trim();
    if (!value) {
      e.preventDefault();
      error.textContent = 'Paste the token first.';
      return;
    }
    store(value);
    for (const listener of listeners) listener(value);
  });
  // Escape would leave the page with nothing to show; the form stays until a token is given.
  dialog.addEventListener('cancel', (e) => e.preventDefault());
}
