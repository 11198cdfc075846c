// Authentication of a WebSocket upgrade with the kernel's key, as Jupyter Server takes tokens:
// an `Authorization: token KEY` (or `Bearer KEY`) header, else a `token=KEY` query parameter
// (browsers cannot set headers on a WebSocket). Checked in constant time (tokenMatches);
// every refusal is logged without the token and pushes back the next attempt through the
// same AuthThrottle the kernel's dap_port uses, so the two cannot be used to guess twice as fast.
import type { IncomingMessage } from 'node:http';
import { tokenMatches, type AuthLog, type AuthThrottle } from './dap-auth.js';

export type UpgradeVerdict = { ok: true } | { ok: false; status: 401 | 403 | 503; reason: string };

const HOW_TO = "send the kernel's key (the \"key\" of its connection file) as an 'Authorization: token KEY' header or a '?token=KEY' query parameter";

/** The token a request carries, if any: the Authorization header first, then the query. */
export function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(auth);
    // An Authorization header of another scheme carries no token (and is not read as one).
    if (m) return m[1];
  }
  return url.searchParams.get('token') ?? undefined;
}

export async function authenticateUpgrade(req: IncomingMessage, url: URL, key: string, throttle: AuthThrottle, log: AuthLog, remote: string, gone: () => boolean = () => false): Promise<UpgradeVerdict> {
  if (!(await throttle.turn())) {
    log.warn({ remote, path: url.pathname }, 'WebSocket refused: too many authentication attempts wait');
    return { ok: false, status: 503, reason: 'too many authentication attempts are waiting: try again in a few seconds' };
  }
  // A connection that went away while waiting is not an attempt (nor a failure to count).
  if (gone()) return { ok: false, status: 401, reason: 'the connection has gone' };
  const token = tokenOf(req, url);
  if (token !== undefined && tokenMatches(token, key)) {
    log.info({ remote, path: url.pathname }, 'WebSocket client authenticated');
    return { ok: true };
  }
  const backoffMs = throttle.failed();
  const what = token === undefined ? 'no token' : 'wrong token';
  log.warn({ remote, path: url.pathname, backoffMs, recentFailures: throttle.recentFailures }, `WebSocket refused: ${what}`);
  return { ok: false, status: token === undefined ? 401 : 403, reason: `${what}: ${HOW_TO}` };
}
