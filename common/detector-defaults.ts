// The detectors' default thresholds, in one place the backend judges with and the UI shows (the
// Neurons page lists every threshold with its current value). Why each number: detectors.ts
// (DETECTOR_DEFAULTS) and selectivity.ts, and the README's "What the verdicts mean".

export const DETECTOR_DEFAULTS = {
  dead: { minTokens: 1, relEps: 1e-3 },
  constant: { relEps: 1e-3 },
  rare: { bound: 1e-3 },
  massive: { minRatio: 20, minPeak: 10 },
  heavyTailed: { threshold: 10, minTokens: 1000, minFiring: 100 },
} as const;

export const SELECTIVITY_DEFAULTS = {
  tokenSpecific: { coverage: 0.95, maxTypes: 3, minFirings: 20, minRecall: 0.5 },
  positional: { minShare: 0.5, minSamples: 500 },
} as const;

/** One adjustable threshold: where it sits in the detector options, how it is named and explained. */
export interface ThresholdField {
  detector: 'dead' | 'constant' | 'rare' | 'massive' | 'heavyTailed' | 'tokenSpecific' | 'positional';
  key: string;
  label: string;
  /** the CLI flag that sets it */
  flag: string;
  /** the default; null: chosen from the data (positional bins: one per window position, capped by samples / 32) */
  value: number | null;
  integer: boolean;
  help: string;
}

/** Every detector threshold, in the order the Neurons page lists them. */
export const THRESHOLD_FIELDS: readonly ThresholdField[] = [
  { detector: 'dead', key: 'relEps', label: 'Dead: ε (× layer typical |a|)', flag: '--dead-eps', value: DETECTOR_DEFAULTS.dead.relEps, integer: false, help: 'silent when |output| never exceeds this share of the layer\'s typical |activation|' },
  { detector: 'dead', key: 'minTokens', label: 'Dead: minimum tokens', flag: '--dead-min-tokens', value: DETECTOR_DEFAULTS.dead.minTokens, integer: true, help: 'no dead verdict on fewer tokens' },
  { detector: 'constant', key: 'relEps', label: 'Constant: ε (× layer typical |a|)', flag: '--constant-eps', value: DETECTOR_DEFAULTS.constant.relEps, integer: false, help: 'constant when the output varies by at most this share' },
  { detector: 'rare', key: 'bound', label: 'Rare: fire-rate bound', flag: '--rare', value: DETECTOR_DEFAULTS.rare.bound, integer: false, help: 'rare when the fire rate is below this' },
  { detector: 'massive', key: 'minRatio', label: 'Massive: peak / layer median peak', flag: '--massive-ratio', value: DETECTOR_DEFAULTS.massive.minRatio, integer: false, help: 'massive when the peak is at least this many times the layer\'s median peak' },
  { detector: 'massive', key: 'minPeak', label: 'Massive: minimum peak', flag: '--massive-min-peak', value: DETECTOR_DEFAULTS.massive.minPeak, integer: false, help: 'and the peak |activation| is at least this' },
  { detector: 'heavyTailed', key: 'threshold', label: 'Heavy-tailed: active-part excess kurtosis', flag: '--kurtosis', value: DETECTOR_DEFAULTS.heavyTailed.threshold, integer: false, help: 'heavy-tailed when the excess kurtosis of the active part, (kurtosis + 3) × fire rate − 3, is above this' },
  { detector: 'heavyTailed', key: 'minTokens', label: 'Heavy-tailed: minimum tokens', flag: '--kurtosis-min-tokens', value: DETECTOR_DEFAULTS.heavyTailed.minTokens, integer: true, help: 'judged from this many tokens on' },
  { detector: 'heavyTailed', key: 'minFiring', label: 'Heavy-tailed: minimum firing tokens', flag: '--kurtosis-min-firing', value: DETECTOR_DEFAULTS.heavyTailed.minFiring, integer: true, help: 'and this many firing tokens (a tail needs tokens in it)' },
  { detector: 'tokenSpecific', key: 'coverage', label: 'Token-specific: coverage', flag: '--token-coverage', value: SELECTIVITY_DEFAULTS.tokenSpecific.coverage, integer: false, help: 'share of its sampled firings its top token types must cover' },
  { detector: 'tokenSpecific', key: 'maxTypes', label: 'Token-specific: at most token types', flag: '--token-max-types', value: SELECTIVITY_DEFAULTS.tokenSpecific.maxTypes, integer: true, help: 'that coverage within this many token types' },
  { detector: 'tokenSpecific', key: 'minFirings', label: 'Token-specific: minimum sampled firings', flag: '--token-min-firings', value: SELECTIVITY_DEFAULTS.tokenSpecific.minFirings, integer: true, help: 'judged from this many firings among the samples' },
  { detector: 'tokenSpecific', key: 'minRecall', label: 'Token-specific: minimum recall', flag: '--token-min-recall', value: SELECTIVITY_DEFAULTS.tokenSpecific.minRecall, integer: false, help: 'share of its main token\'s occurrences it must fire on' },
  { detector: 'positional', key: 'minShare', label: 'Positional: variance share', flag: '--positional-share', value: SELECTIVITY_DEFAULTS.positional.minShare, integer: false, help: 'positional when the position explains at least this share of its variance' },
  { detector: 'positional', key: 'bins', label: 'Positional: position bins', flag: '--positional-bins', value: null, integer: true, help: 'equal-width bins over the window (default: one per position, at most samples / 32, at least 8)' },
  { detector: 'positional', key: 'minSamples', label: 'Positional: minimum samples', flag: '--positional-min-samples', value: SELECTIVITY_DEFAULTS.positional.minSamples, integer: true, help: 'judged from this many sampled tokens on' },
];
