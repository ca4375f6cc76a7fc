import { describe, expect, it } from 'vitest';
import { getSetting } from '../db/settings.js';
import { DEMO_MARKER, demoWanted, registerDemoOnFirstRun } from './first-run.js';
import { tempDir, testBackend } from './jobs/test-support.js';

describe('first run', () => {
  it('is skipped by --no-demo or FFN_LAB_NO_DEMO (unless empty or 0)', () => {
    expect(demoWanted(false, {})).toBe(true);
    expect(demoWanted(true, {})).toBe(false);
    expect(demoWanted(false, { FFN_LAB_NO_DEMO: '1' })).toBe(false);
    expect(demoWanted(false, { FFN_LAB_NO_DEMO: 'yes' })).toBe(false);
    expect(demoWanted(false, { FFN_LAB_NO_DEMO: '0' })).toBe(true);
    expect(demoWanted(false, { FFN_LAB_NO_DEMO: '' })).toBe(true);
  });

  it('registers nothing in a folder that has had a job, and marks it so it never will', () => {
    const backend = testBackend();
    try {
      backend.db.prepare("INSERT INTO jobs (kind, title, state, params, created_at) VALUES ('corpus-import', 'earlier', 'done', '{}', 'then')").run();
      expect(registerDemoOnFirstRun(backend, tempDir())).toEqual([]);
      expect(getSetting(backend.db, DEMO_MARKER)).toMatchObject({ registered: false });
      backend.db.prepare('DELETE FROM jobs').run();
      expect(registerDemoOnFirstRun(backend, tempDir())).toEqual([]);
    } finally {
      backend.close();
    }
  });

  it('starts the imports once, saying which demo model it could not find', () => {
    const backend = testBackend();
    const lines: string[] = [];
    const emptyDemoDir = tempDir('ffn-no-demo-');
    try {
      const jobs = registerDemoOnFirstRun(backend, emptyDemoDir, (l) => lines.push(l));
      expect(jobs.map((j) => [j.kind, j.params])).toEqual([['corpus-import', { source: { kind: 'brown' } }]]);
      expect(lines.filter((l) => l.includes('is missing'))).toHaveLength(2);
      expect(lines.at(-1)).toMatch(/registering no demo model and the Brown corpus/);
      expect(getSetting(backend.db, DEMO_MARKER)).toMatchObject({ registered: true });
      // a second start (or a second process) finds the marker
      const again = testBackend(backend.dataDir);
      expect(registerDemoOnFirstRun(again, emptyDemoDir)).toEqual([]);
      again.close();
    } finally {
      backend.close();
    }
  });
});
