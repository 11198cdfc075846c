// Daemon support for self-started kernels: runtime directory, pid files, connection-file
// discovery, signals, and the list/status/stop operations behind `llmspell kernel`.
export { runtimeDir, ensureRuntimeDir, kernelPaths, isValidKernelId } from './runtime-dir.js';
export { listKernels, findKernel, readKernelEntry, dapPortOf, KernelLookupError, type KernelEntry, type ServiceConnectionInfo } from './kernel-registry.js';
export { runServiceKernel, ServiceError, type ServiceKernelOptions } from './service-kernel.js';
export { startDaemon } from './daemonize.js';
export { stopKernel, removeKernelFiles } from './kernel-control.js';
export { formatList, formatStatus, summarize } from './kernel-report.js';
export { installKernelSignals, type SignalPolicy } from './signals.js';
