// The CLI's end of a kernel's shared-breakpoint request: one connection to its dap_port, the
// request with the kernel's key as token, the answer, and the connection closed. A kernel that
// does not answer in time is reported, never waited on.
import { DapClient } from '../dap/index.js';
import type { KernelDapAddress } from '../kernel/kernel-lookup.js';
import type { SharedBreakpointsBody } from '../kernel/shared-breakpoint-requests.js';
import { SHARED_BREAKPOINTS_REQUEST } from '../kernel/shared-breakpoints.js';

export type SharedBreakpointAction =
  | { action: 'set'; source: string; line: number; condition?: string }
  | { action: 'clear'; source: string; line: number }
  | { action: 'list' };

export const REQUEST_TIMEOUT_MS = 5000;

export async function sharedBreakpointRequest(a: KernelDapAddress, what: SharedBreakpointAction, timeoutMs = REQUEST_TIMEOUT_MS): Promise<SharedBreakpointsBody> {
  const client = await DapClient.connect(a.host, a.port, timeoutMs).catch((e: Error) => {
    throw new Error(`cannot reach its debugger at ${a.host}:${a.port}: ${e.message}`);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      client.request<SharedBreakpointsBody>(SHARED_BREAKPOINTS_REQUEST, { ...what, token: a.key }),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs); }),
    ]);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}
