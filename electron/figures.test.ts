import { afterAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from './api.js';
import { testBackend } from './jobs/test-support.js';

const backend = testBackend();
afterAll(() => backend.close());

describe('figures', () => {
  it('keeps a thumbnail and the view it came from, and lists them (null for older records and CSV)', async () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const made = (await backend.handle('figures.record', { file: 'fire.png', chart: 'Fire rate', format: 'png-2x', bytes: 900, width: 880, height: 520, thumbnail: png, source: '#/neurons/3' })) as { id: number };
    const csv = (await backend.handle('figures.record', { file: 'fire.csv', chart: 'Fire rate', format: 'csv', bytes: 40, source: '#/neurons/3' })) as { id: number };
    const listed = (await backend.handle('figures.list', {})) as Array<{ id: number; thumbnail: string | null; source: string | null }>;
    expect(listed.find((f) => f.id === made.id)).toMatchObject({ thumbnail: png, source: '#/neurons/3' });
    expect(listed.find((f) => f.id === csv.id)).toMatchObject({ thumbnail: null, source: '#/neurons/3' });
    for (const id of [made.id, csv.id]) await backend.handle('figures.delete', { id });
  });

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
    await expect(backend.handle('figures.record', { file: 'x.gif', chart: 'c', format: 'gif', bytes: 1 })).rejects.toThrow('Format must be one of "svg", "png-2x", "png-4x", "pdf", "csv"');
    await expect(backend.handle('figures.record', { file: '', chart: 'c', format: 'svg', bytes: 1 })).rejects.toThrow('File must have at least 1 character');
    await expect(backend.handle('figures.record', { file: 'x.svg', chart: 'c', format: 'svg', bytes: -1 })).rejects.toThrow('Bytes must be at least 0');
    await expect(backend.handle('figures.record', { file: 'x.svg', chart: 'c', format: 'svg', bytes: 1, source: 'javascript:alert(1)' })).rejects.toThrow("Source must be an app route such as '#/neurons/3'");
    await expect(backend.handle('figures.record', { file: 'x.svg', chart: 'c', format: 'svg', bytes: 1, thumbnail: 'data:text/html;base64,PHNjcmlwdD4=' })).rejects.toThrow('Thumbnail must be a PNG data: URL (data:image/png;base64,…)');
  });
});
