import { afterAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from './api.js';
import { testBackend } from './jobs/test-support.js';

const backend = testBackend();
afterAll(() => backend.close());

describe('figures', () => {
  it('records exports, lists them newest first after a reopen, removes them, and says so with figures-changed', async () => {
    const events: ApiEvent[] = [];
    backend.onEvent((e) => events.push(e));
    const svg = await backend.handle('figures.record', { file: 'dead.svg', chart: 'Dead neurons per layer', format: 'svg', bytes: 5120, width: 440, height: 260 });
    expect(svg).toMatchObject({ file: 'dead.svg', chart: 'Dead neurons per layer', format: 'svg', bytes: 5120, width: 440, height: 260 });
    const csv = (await backend.handle('figures.record', { file: 'dead.csv', chart: 'Dead neurons per layer', format: 'csv', bytes: 40 })) as { id: number; width: unknown };
    expect(csv.width).toBeNull();
    expect(events.filter((e) => e.type === 'figures-changed')).toHaveLength(2);

    // a second backend on the same data folder (a restart) sees them
    const again = testBackend(backend.dataDir);
    const listed = (await again.handle('figures.list', {})) as { file: string }[];
    again.close();
    expect(listed.map((f) => f.file)).toEqual(['dead.csv', 'dead.svg']);

    await expect(backend.handle('figures.delete', { id: csv.id })).resolves.toEqual({ deleted: true });
    await expect(backend.handle('figures.delete', { id: csv.id })).resolves.toEqual({ deleted: false });
    expect(((await backend.handle('figures.list', {})) as unknown[]).length).toBe(1);
    expect(events.filter((e) => e.type === 'figures-changed')).toHaveLength(3);
  });

  it('refuses a record that is not one', async () => {
    await expect(backend.handle('figures.record', { file: 'x.gif', chart: 'c', format: 'gif', bytes: 1 })).rejects.toThrow(/format/);
    await expect(backend.handle('figures.record', { file: '', chart: 'c', format: 'svg', bytes: 1 })).rejects.toThrow(/file/);
    await expect(backend.handle('figures.record', { file: 'x.svg', chart: 'c', format: 'svg', bytes: -1 })).rejects.toThrow(/bytes/);
  });
});
