// What a case produces, in display order: named measurements (timings), ratios between them,
// and quantities derived from them (e.g. µs per breakpoint evaluation). Any may have a target.
import { median, round } from './stats.js';

export interface Target {
  /** The figure should be at most this (in its own unit). */
  max: number;
  met: boolean;
}

/** Kept for existing users: a ratio's target. */
export type RatioTarget = Target;

export interface Measurement {
  kind: 'measurement';
  name: string;
  unit: 'ms';
  median: number;
  min: number;
  max: number;
  samples: number[];
  /** On the median. */
  target?: Target;
}

export interface Ratio {
  kind: 'ratio';
  name: string;
  /** How the ratio is computed, e.g. "median(llmspell) / median(lua5.4)". */
  formula: string;
  value: number;
  target?: RatioTarget;
}

/** A figure computed from medians in another unit, e.g. µs per evaluation. */
export interface Quantity {
  kind: 'quantity';
  name: string;
  /** How it is computed, e.g. "(median(condition) - median(plain)) / hits". */
  formula: string;
  unit: 'µs' | 'ms' | 'MiB';
  value: number;
  target?: Target;
}

export type Figure = Measurement | Ratio | Quantity;

export function measurement(name: string, samples: readonly number[], targetMaxMs?: number): Measurement {
  const m: Measurement = {
    kind: 'measurement',
    name,
    unit: 'ms',
    median: round(median(samples), 3),
    min: round(Math.min(...samples), 3),
    max: round(Math.max(...samples), 3),
    samples: samples.map((s) => round(s, 3)),
  };
  if (targetMaxMs !== undefined) m.target = { max: targetMaxMs, met: median(samples) <= targetMaxMs };
  return m;
}

export function ratio(name: string, formula: string, value: number, targetMax?: number): Ratio {
  const r: Ratio = { kind: 'ratio', name, formula, value: round(value, 3) };
  if (targetMax !== undefined) r.target = { max: targetMax, met: value <= targetMax };
  return r;
}

export function quantity(name: string, formula: string, unit: Quantity['unit'], value: number, targetMax?: number): Quantity {
  const q: Quantity = { kind: 'quantity', name, formula, unit, value: round(value, 3) };
  if (targetMax !== undefined) q.target = { max: targetMax, met: value <= targetMax };
  return q;
}
