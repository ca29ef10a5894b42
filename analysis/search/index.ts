/**
 * Hyperparameter search: a study with ask/tell and define-by-run suggestions, TPE and random
 * samplers, median and successive-halving pruners, our learners' search spaces and the budget.
 */
export * from './budget';
export type * from './distributions';
export type { PrunerConfig } from './pruners';
export type { SamplerConfig, TpeSamplerConfig } from './samplers';
export * from './spaces';
export * from './study';
export type * from './trial';
