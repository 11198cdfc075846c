// The debug layer's public surface.
export * from './execution-manager.js';
export type { SourceBreakpoint } from './breakpoint-store.js';
