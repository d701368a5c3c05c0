/** Market phases and the backend's trigger rules (backend/utils/market_time.py). */

export const PHASES = ['pre_market', 'market_open', 'trading', 'market_close', 'after_hours'] as const;
export type Phase = (typeof PHASES)[number];

export function isPhase(value: string): value is Phase {
  return (PHASES as readonly string[]).includes(value);
}

export interface PhaseRule {
  ttlHours: number;
  /** Percent of daily price change that triggers an update; evaluated only where priceTriggerActive. */
  priceThreshold: number;
  /** Change of the share of "up" predictions, as a fraction (0.15 = 15 points). */
  directionThreshold: number;
  priceTriggerActive: boolean;
}

export type Rules = Record<Phase, PhaseRule>;

export const DEFAULT_RULES: Rules = {
  pre_market: { ttlHours: 3, priceThreshold: 5.0, directionThreshold: 0.2, priceTriggerActive: false },
  market_open: { ttlHours: 1, priceThreshold: 5.0, directionThreshold: 0.15, priceTriggerActive: true },
  trading: { ttlHours: 2, priceThreshold: 3.0, directionThreshold: 0.15, priceTriggerActive: true },
  market_close: { ttlHours: 1, priceThreshold: 5.0, directionThreshold: 0.15, priceTriggerActive: true },
  after_hours: { ttlHours: 6, priceThreshold: 5.0, directionThreshold: 0.2, priceTriggerActive: false },
};

/** Phase start, in minutes after KST midnight; the clock boundaries are the backend's and not configurable. */
export const PHASE_STARTS: ReadonlyArray<readonly [number, Phase]> = [
  [0, 'pre_market'],
  [9 * 60, 'market_open'],
  [9 * 60 + 30, 'trading'],
  [15 * 60 + 30, 'market_close'],
  [15 * 60 + 36, 'after_hours'],
];
