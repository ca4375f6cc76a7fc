// The job system with real worker processes and a real SQLite file: import, cancel, a worker
// killed with SIGKILL, resume, discard, and the owner process dying.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, integrityCheck } from '../../db/database.js';
import type { Backend } from '../backend.js';
import type { Corpus, Job } from '../api.js';
import { tempDir, testBackend, until, writeLargeJsonl } from './test-support.js';

const open: Backend[] = [];
function backend(dataDir?: string): Backend {
  const b = testBackend(dataDir);
  open.push(b);
  return b;
}
afterEach(() => {
  for (const b of open.splice(0)) b.close();
});

async function importAndWait(b: Backend, params: unknown): Promise<Job> {
  const { job } = (await b.handle('corpus.import', params)) as { job: Job };
  return b.jobs.waitFor(job.id);
}

function counts(b: Backend) {
  const q = (sql: string) => (b.db.prepare(sql).get() as { n: number }).n;
  return { corpora: q('SELECT COUNT(*) n FROM corpora'), documents: q('SELECT COUNT(*) n FROM documents') };
}

describe('corpus import job', () => {
  it('imports a JSONL file with metadata, byte counts and a checksum', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'small.jsonl');
    fs.writeFileSync(file, ['{"text":"héllo world","genre":"a"}', '', '{"text":"second doc","genre":"b","year":1961}'].join('\n'));
    const b = backend();
    const done = await importAndWait(b, { source: { kind: 'path', path: file }, name: 'tiny' });
    expect(done.state).toBe('done');
    const [corpus] = (await b.handle('corpus.list', {})) as Corpus[];
    expect(corpus).toMatchObject({ name: 'tiny', documents: 2, bytes: Buffer.byteLength('héllo world') + Buffer.byteLength('second doc') });
    expect(corpus!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(corpus!.metadataFields).toEqual(['genre', 'year']);
    const docs = (await b.handle('corpus.documents', { id: corpus!.id })) as { total: number; documents: Array<{ metadata: unknown }> };
    expect(docs.total).toBe(2);
    expect(docs.documents[1]!.metadata).toEqual({ genre: 'b', year: 1961 });
  });

  it('fails with the reader\'s message and leaves nothing behind for bad input', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'latin1.txt');
    fs.writeFileSync(file, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const b = backend();
    const failed = await importAndWait(b, { source: { kind: 'path', path: file } });
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain(file);
    expect(failed.error).toMatch(/not valid UTF-8/);
    expect(counts(b)).toEqual({ corpora: 0, documents: 0 });
  });

  it('imports the Brown corpus with genre and part-of-speech annotations', async () => {
    const b = backend();
    const done = await importAndWait(b, { source: { kind: 'brown' } });
    expect(done.state).toBe('done');
    expect(done.result).toMatchObject({ corpus: { name: 'brown', documents: 500 } });
    const genres = b.db.prepare("SELECT COUNT(DISTINCT json_extract(metadata, '$.genre')) n FROM documents").get() as { n: number };
    expect(genres.n).toBe(15);
    const pos = b.db.prepare("SELECT json_array_length(annotations, '$.pos') n FROM documents WHERE ordinal = 0").get() as { n: number };
    expect(pos.n).toBeGreaterThan(1000);
  });

  it('cancel midway removes every document of the import', async () => {
    const dir = tempDir();
    const file = writeLargeJsonl(dir);
    const b = backend();
    const { job } = (await b.handle('corpus.import', { source: { kind: 'path', path: file } })) as { job: Job };
    await until(() => counts(b).documents > 0);
    await b.handle('jobs.cancel', { id: job.id });
    const final = await b.jobs.waitFor(job.id);
    expect(final.state).toBe('cancelled');
    expect(counts(b)).toEqual({ corpora: 0, documents: 0 });
    expect(await b.handle('corpus.list', {})).toEqual([]);
  });

  it('a worker killed with SIGKILL leaves an interrupted job that resumes to the same corpus, or is discarded', async () => {
    const dir = tempDir();
    const file = writeLargeJsonl(dir, 20_000);
    const dataDir = tempDir();
    const b = backend(dataDir);

    // The reference: the same file imported without interruption.
    const clean = await importAndWait(b, { source: { kind: 'path', path: file }, name: 'clean' });
    const reference = (clean.result as { corpus: { id: number } }).corpus;

    const killOnce = async (name: string) => {
      const { job } = (await b.handle('corpus.import', { source: { kind: 'path', path: file }, name })) as { job: Job };
      await until(() => (b.db.prepare('SELECT documents FROM corpora WHERE job_id = ?').get(job.id) as { documents: number } | undefined)?.documents);
      const pid = (b.db.prepare('SELECT worker_pid FROM jobs WHERE id = ?').get(job.id) as { worker_pid: number }).worker_pid;
      process.kill(pid, 'SIGKILL');
      const final = await b.jobs.waitFor(job.id);
      expect(final.state).toBe('interrupted');
      expect(final.error).toMatch(/killed by SIGKILL/);
      expect(integrityCheck(b.db)).toBe('ok');
      return job.id;
    };

    const resumed = await killOnce('resumed');
    const partial = (b.db.prepare('SELECT documents FROM corpora WHERE job_id = ?').get(resumed) as { documents: number }).documents;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(20_000);
    await b.handle('jobs.resume', { id: resumed });
    const after = await b.jobs.waitFor(resumed);
    expect(after.state).toBe('done');
    const corpora = (await b.handle('corpus.list', {})) as Corpus[];
    const a = corpora.find((c) => c.id === reference.id)!;
    const r = corpora.find((c) => c.name === 'resumed')!;
    expect(r.documents).toBe(a.documents);
    expect(r.bytes).toBe(a.bytes);
    expect(r.checksum).toBe(a.checksum);

    const discarded = await killOnce('discarded');
    await b.handle('jobs.discard', { id: discarded });
    expect(b.jobs.get(discarded).state).toBe('discarded');
    expect(b.db.prepare('SELECT COUNT(*) n FROM corpora WHERE job_id = ?').get(discarded)).toEqual({ n: 0 });
    expect(b.db.prepare('SELECT COUNT(*) n FROM documents WHERE corpus_id NOT IN (SELECT id FROM corpora)').get()).toEqual({ n: 0 });
  });

  it('jobs of an owner process that died are marked interrupted at the next start', () => {
    const dataDir = tempDir();
    const db = openDatabase(path.join(dataDir, 'ffn-lab.sqlite'));
    // A real pid that no longer runs.
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'console.log(process.pid)']).toString().trim());
    db.prepare("INSERT INTO jobs (kind, title, state, params, owner_pid, created_at) VALUES ('corpus-import', 't', 'running', '{\"source\":{\"kind\":\"brown\"}}', ?, 'x')").run(deadPid);
    db.prepare("INSERT INTO jobs (kind, title, state, params, owner_pid, created_at) VALUES ('corpus-import', 't', 'running', '{\"source\":{\"kind\":\"brown\"}}', ?, 'x')").run(process.ppid);
    db.close();
    const b = backend(dataDir);
    const states = b.jobs.list().map((j) => j.state).sort();
    // The job of the live process (our parent) is left alone: it may be another app on this database.
    expect(states).toEqual(['interrupted', 'running']);
  });
});
