// Errors a DAP client sees: a code and a message a user can act on.
export enum DapErrorCode {
  UnknownCommand = 1001,
  NotInitialized = 1002,
  BadArguments = 1003,
  NotStopped = 1004,
  NoProgram = 1005,
  ProgramNotFound = 1006,
  NotSupported = 1007,
  Cancelled = 1008,
  Failed = 1009,
  BadRequest = 1010,
  Unauthorized = 1011,
}

export class DapError extends Error {
  constructor(readonly code: DapErrorCode, message: string, readonly showUser = true) {
    super(message);
  }
}

export const badArgs = (what: string): DapError => new DapError(DapErrorCode.BadArguments, what);

/** Checks an optional count or index argument: a whole number, not negative. */
export function expectCount(command: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw badArgs(`'${command}': argument '${name}' must be a whole number, 0 or more`);
}

/** Checks an argument's type; the message names the request and the argument. */
export function expectType(command: string, name: string, value: unknown, type: 'string' | 'number' | 'boolean' | 'object' | 'array', optional = false): void {
  if (value === undefined && optional) return;
  const ok = type === 'array' ? Array.isArray(value) : type === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value) : typeof value === type;
  if (!ok) throw badArgs(`'${command}': argument '${name}' must be ${type === 'array' ? 'an array' : `a ${type}`}${value === undefined ? ' (it is missing)' : ''}`);
}
