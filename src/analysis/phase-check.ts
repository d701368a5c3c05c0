/**
 * Decisions print the market phase the backend computed from its own clock. When that phase
 * disagrees with the phase of the record's time, the log was read in the wrong zone.
 */
import type { Phase } from '../market/rules.js';
import { LocalClock, phaseFitsTime } from '../market/time.js';

/** Zones tried when looking for the one a log was written in: one per common offset. */
const CANDIDATE_ZONES = [
  'UTC',
  'Asia/Seoul',
  'Asia/Shanghai',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Moscow',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Australia/Sydney',
  'Pacific/Auckland',
];
const MAX_SAMPLES = 100_000;

export interface PhaseSample {
  /** The wall-clock time as written in the log. */
  naiveMs: number;
  phase: Phase;
}

export function isPhaseMismatch(phase: Phase, ts: number): boolean {
  return !phaseFitsTime(phase, ts);
}

export class PhaseCheck {
  mismatches = 0;
  decisions = 0;
  private readonly samples: PhaseSample[] = [];

  constructor(private readonly clock: LocalClock) {}

  /** Notes a decision; true when its phase does not fit its time. */
  note(phase: Phase, ts: number): boolean {
    this.decisions += 1;
    const mismatch = isPhaseMismatch(phase, ts);
    if (mismatch) this.mismatches += 1;
    if (this.samples.length < MAX_SAMPLES) {
      // Back to the wall clock: the zone's offset at ts equals the one at the wall-clock time but within a DST change.
      this.samples.push({ naiveMs: ts + (ts - this.clock.toUtc(ts)), phase });
    }
    return mismatch;
  }

  /** A zone that would remove most mismatches, when the one given is wrong; else null. */
  suggestZone(): string | null {
    if (this.mismatches < Math.max(2, 0.05 * this.decisions)) return null;
    let best: { zone: string; mismatches: number } | null = null;
    for (const zone of CANDIDATE_ZONES) {
      const clock = new LocalClock(zone);
      let mismatches = 0;
      for (const s of this.samples) if (isPhaseMismatch(s.phase, clock.toUtc(s.naiveMs))) mismatches++;
      if (!best || mismatches < best.mismatches) best = { zone, mismatches };
    }
    const sampledMismatches = this.samples.filter((s) => isPhaseMismatch(s.phase, this.clock.toUtc(s.naiveMs))).length;
    return best && best.zone !== this.clock.zone && best.mismatches * 2 < sampledMismatches ? best.zone : null;
  }
}
