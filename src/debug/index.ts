// The debug layer's public surface.
export * from './execution-manager.js';
export type { SourceBreakpoint } from './breakpoint-store.js';
export { BreakpointBook } from './breakpoint-book.js';
export { FIRST_SCOPED_ID, ThreadScopedIds } from './thread-scoped-ids.js';
export * from './runtime-threads.js';
