// A DAP listener off loopback needs a token (ARCHITECTURE decision 7): every connection must
// send it in its first launch or attach; checked in constant time, refusals rate-limited.
import type { DapSession } from '../dap/index.js';
import type { SessionSetup } from '../dap/server.js';
import type { logger } from '../log/index.js';
import { UsageError } from './errors.js';
import { isLoopback } from './options.js';

/** The token to require ('' on loopback without one); refuses a non-loopback host without one. */
export function requireTokenOffLoopback(host: string, given: string | undefined): string {
  const token = given ?? process.env.LLMSPELL_DAP_TOKEN ?? '';
  if (!isLoopback(host) && !token) {
    throw new UsageError(`listening on ${host} needs --token SECRET (or LLMSPELL_DAP_TOKEN): a DAP client can run any script`);
  }
  if (!isLoopback(host)) process.stderr.write(`llmspell: listening on ${host}, reachable from other machines; clients must send the token\n`);
  return token;
}

export async function tokenGate(token: string, log: ReturnType<typeof logger>): Promise<SessionSetup> {
  const { AuthThrottle, ConnectionAuth } = await import('../kernel/dap-auth.js');
  const throttle = new AuthThrottle();
  const howTo = "send the server's token as 'token' in 'launch' or 'attach'";
  return (session: DapSession, socket) => {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const auth = new ConnectionAuth(token, throttle, { warn: (o, m) => log.warn(o, m), info: (o, m) => log.info(o, m) }, remote, (why) => session.closeConnection(why), ['launch', 'attach'], howTo);
    session.hooks = { ...session.hooks, admit: auth.admit };
    socket.once('close', () => auth.dispose());
  };
}
