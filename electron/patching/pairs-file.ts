// A dataset of patching pairs as JSONL: one {"clean", "corrupt", "target", "foil"} object a line
// (blank lines skipped). Every line is checked; an error names the line and what was expected.
import { PatchPair } from '../api.js';

export function parsePairsJsonl(text: string, file: string): PatchPair[] {
  const pairs: PatchPair[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file} line ${i + 1}: not JSON (${(e as Error).message}); expected {"clean": "...", "corrupt": "...", "target": " Paris", "foil": " Rome"}`, { cause: e });
    }
    const parsed = PatchPair.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file} line ${i + 1}: ${issue ? `${issue.path.join('.') || 'the line'}: ${issue.message}` : 'invalid'}; expected {"clean": "...", "corrupt": "...", "target": " Paris", "foil": " Rome"} (foil optional with --metric loss)`);
    }
    pairs.push(parsed.data);
  }
  if (pairs.length === 0) throw new Error(`${file} has no pairs; expected one JSON object a line`);
  return pairs;
}
