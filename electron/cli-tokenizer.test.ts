// ffn-lab tokenizer attach / detach as a user runs them: a model imported without a tokenizer
// cannot be captured until one is attached; a malformed tokenizer and one whose vocabulary is
// larger than the model's are refused with what was wrong.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureWithCharTokenizer, runCli, tempDir } from './jobs/test-support.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures');
const dataDir = tempDir('ffn-cli-tokenizer-');
const cli = (args: string[]) => runCli(args, dataDir);
const capture = (name: string) => cli(['capture', '--model', 'bare', '--corpus', 'brown', '--max-tokens', '200', '--seq-len', '32', '--samples', '4', '--name', name, '--json']);
/** The fixture's tokenizer.json (a copy of the gpt2 fixture with a character tokenizer of its 96-token vocabulary). */
const tokenizerFolder = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
const tokenizerFile = path.join(tokenizerFolder, 'tokenizer.json');

beforeAll(() => {
  // the gpt2 fixture folder copied without any tokenizer.json
  const bare = tempDir('ffn-bare-model-');
  for (const f of fs.readdirSync(path.join(fixtures, 'gpt2'))) if (f !== 'tokenizer.json') fs.copyFileSync(path.join(fixtures, 'gpt2', f), path.join(bare, f));
  expect(fs.existsSync(path.join(bare, 'tokenizer.json'))).toBe(false);
  const imported = cli(['import', bare, '--name', 'bare', '--json']);
  expect(imported.code, imported.stderr).toBe(0);
  const corpus = cli(['corpus', 'import', 'brown', '--json']);
  expect(corpus.code, corpus.stderr).toBe(0);
}, 300_000);

describe('ffn-lab tokenizer attach / detach', () => {
  it('refuses a capture without a tokenizer, attaches one, then captures', () => {
    const refused = capture('before');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/model "bare" has no tokenizer .*a capture needs one.*ffn-lab tokenizer attach --model bare PATH/);

    const attached = cli(['tokenizer', 'attach', '--model', 'bare', tokenizerFile, '--json']);
    expect(attached.code, attached.stderr).toBe(0);
    const model = JSON.parse(attached.stdout).model as { tokenizer: string; tokenizerPath: string };
    expect(model.tokenizerPath).toBe(tokenizerFile);
    expect(model.tokenizer).toBe(`attached ${tokenizerFile}`);

    const captured = capture('after');
    expect(captured.code, captured.stderr).toBe(0);
    const list = JSON.parse(cli(['datasets', 'list', '--json']).stdout) as { datasets: Array<{ name: string; tokens: number }> };
    expect(list.datasets.find((d) => d.name === 'after')?.tokens).toBe(200);
  }, 300_000);

  it('refuses a vocabulary larger than the model\'s, naming both sizes, and keeps the attached one', () => {
    const big = tempDir('ffn-big-tok-');
    const tok = JSON.parse(fs.readFileSync(tokenizerFile, 'utf8')) as { model: { vocab: Record<string, number> } };
    for (let id = 96; id < 120; id++) tok.model.vocab[String.fromCharCode(0x100 + id)] = id;
    fs.writeFileSync(path.join(big, 'tokenizer.json'), JSON.stringify(tok));
    const r = cli(['tokenizer', 'attach', '--model', 'bare', big, '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/has 120 tokens but model "bare" has a vocabulary of 96; expected at most 96/);
    const shown = JSON.parse(cli(['models', 'list', '--json']).stdout) as { models: Array<{ name: string; tokenizerPath: string | null }> };
    expect(shown.models.find((m) => m.name === 'bare')?.tokenizerPath).toBe(tokenizerFile);
  }, 300_000);

  it('refuses a malformed tokenizer.json with the reader\'s message', () => {
    const bad = tempDir('ffn-bad-tok-');
    fs.writeFileSync(path.join(bad, 'tokenizer.json'), '{"model": ');
    const r = cli(['tokenizer', 'attach', '--model', 'bare', path.join(bad, 'tokenizer.json')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/tokenizer\.json.*is not valid JSON/);
  }, 300_000);

  it('detaches, after which a capture is refused again', () => {
    const r = cli(['tokenizer', 'detach', '--model', 'bare', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).model).toMatchObject({ tokenizer: null, tokenizerPath: null });
    expect(capture('detached').stderr).toMatch(/model "bare" has no tokenizer/);
  }, 300_000);
});
