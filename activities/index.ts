/**
 * Every stage, by name: what the Temporal worker registers and the workflow proxies. The
 * embedded runner calls the same functions directly.
 */
export { alert } from './alerts';
export { aggregate, extract } from './data';
export { distribution } from './distribution';
export { evaluate, explain, searchTrial } from './model';
export { prepare } from './prepare';
export { report } from './report';
export { compose, discard, persist } from './results';
export { stability } from './stability';
export { trackFinish, trackStart, trackTrial } from './tracking';
