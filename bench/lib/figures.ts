// What a case produces: named measurements (timings) and ratios between them, in display order.
import { median, round } from './stats.js';

export interface Measurement {
  kind: 'measurement';
  name: string;
  unit: 'ms';
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export interface RatioTarget {
  /** The ratio should be at most this. */
  max: number;
  met: boolean;
}

export interface Ratio {
  kind: 'ratio';
  name: string;
  /** How the ratio is computed, e.g. "median(llmspell) / median(lua5.4)". */
  formula: string;
  value: number;
  target?: RatioTarget;
}

export type Figure = Measurement | Ratio;

export function measurement(name: string, samples: readonly number[]): Measurement {
  return {
    kind: 'measurement',
    name,
    unit: 'ms',
    median: round(median(samples), 2),
    min: round(Math.min(...samples), 2),
    max: round(Math.max(...samples), 2),
    samples: samples.map((s) => round(s, 2)),
  };
}

export function ratio(name: string, formula: string, value: number, targetMax?: number): Ratio {
  const r: Ratio = { kind: 'ratio', name, formula, value: round(value, 3) };
  if (targetMax !== undefined) r.target = { max: targetMax, met: value <= targetMax };
  return r;
}
