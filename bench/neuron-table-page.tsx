// The page of `npm run bench -- --neuron-table`, run in headless Chromium: the app's own
// NeuronTable (production React, the app's styles) given a synthetic dataset of N neuron rows,
// and the measurements the driver (bench/neuron-table.ts) calls through window.bench.
import { createRoot } from 'react-dom/client';
import { prng } from '../common/prng';
import type { NeuronRow } from '../electron/api';
import { NeuronTable } from '../renderer/src/neurons/NeuronTable';
import '../renderer/src/styles/theme.css';
import '../renderer/src/styles/base.css';
import '../renderer/src/styles/layout.css';
import '../renderer/src/styles/controls.css';
import '../renderer/src/styles/pages.css';

const ROW_HEIGHT = 32; // NeuronTable's fixed row height

/** Rows shaped like a big model's (8,192 neurons a layer), with dead and massive verdicts sprinkled in. */
function synthetic(count: number): NeuronRow[] {
  const rand = prng(7);
  const rows: NeuronRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const fire = rand() < 0.02 ? 0 : rand() * 0.4;
    const max = fire === 0 ? -0.1 : rand() * 8;
    const r = rand();
    const verdicts: NeuronRow['verdicts'] =
      fire === 0 ? [{ kind: 'dead', evidence: { tokens: 200_000 } }] : r < 0.005 ? [{ kind: 'massive', evidence: { ratio: 40 } }] : [];
    rows[i] = {
      layer: Math.floor(i / 8192),
      neuron: i % 8192,
      tokens: 200_000,
      mean: rand() - 0.5,
      std: rand(),
      min: -rand(),
      max,
      peak_abs: Math.abs(max),
      mean_abs: rand(),
      fire_count: Math.round(fire * 200_000),
      fire_rate: fire,
      kurtosis: rand() * 20,
      peak_ratio: rand() * 3,
      verdicts,
    };
  }
  return rows;
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

export interface ScrollRun {
  /** intervals between consecutive animation frames while scrolling, ms */
  intervals: number[];
  /** frames painted with part of the view not covered by rows (the blank spacer showing) */
  blank: number;
}

/**
 * Scrolls `box` once per animation frame for `frames` frames, by `step` px or (step 0) to a random
 * position each time, and records the frame intervals. `covered` says whether rows fill the view;
 * it is asked in the animation frame callback, which runs after the frame's scroll event and
 * before its paint, so it sees what that frame shows.
 */
async function scroll(box: HTMLElement, frames: number, step: number, covered: (() => boolean) | null): Promise<ScrollRun> {
  const rand = prng(11);
  const max = box.scrollHeight - box.clientHeight;
  box.scrollTop = 0;
  for (let i = 0; i < 10; i++) await nextFrame();
  const intervals: number[] = [];
  let blank = 0;
  let last = await nextFrame();
  for (let i = 0; i < frames; i++) {
    box.scrollTop = step > 0 ? (box.scrollTop + step > max ? 0 : box.scrollTop + step) : Math.floor(rand() * max);
    const t = await nextFrame();
    intervals.push(t - last);
    last = t;
    if (covered && !covered()) blank++;
  }
  return { intervals, blank };
}

const root = document.getElementById('root')!;

const bench = {
  /** Generates the rows and mounts the table; returns the times and the scroll height reached. */
  async mount(count: number) {
    const t0 = performance.now();
    const rows = synthetic(count);
    const t1 = performance.now();
    createRoot(root).render(<NeuronTable datasetId={1} neurons={rows} busy={false} />);
    await nextFrame();
    await nextFrame();
    const t2 = performance.now();
    const box = document.querySelector<HTMLElement>('[data-testid="neuron-scroll"]')!;
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    return { generateMs: t1 - t0, mountMs: t2 - t1, scrollHeight: box.scrollHeight, expectedHeight: (count + 1) * ROW_HEIGHT, heapMB: memory ? memory.usedJSHeapSize / 2 ** 20 : null };
  },

  /** Scrolls the table: `step` px a frame, or 0 for random jumps (a dragged scrollbar). */
  table(frames: number, step: number): Promise<ScrollRun> {
    const box = document.querySelector<HTMLElement>('[data-testid="neuron-scroll"]')!;
    const covered = () => {
      const rows = box.querySelectorAll('[data-testid="neuron-row"]');
      if (rows.length === 0) return false;
      const view = box.getBoundingClientRect();
      const header = box.querySelector('thead')!.getBoundingClientRect().height; // sticky
      return rows[0]!.getBoundingClientRect().top <= view.top + header + 0.5 && rows[rows.length - 1]!.getBoundingClientRect().bottom >= view.bottom - 0.5;
    };
    return scroll(box, frames, step, covered);
  },

  /** The same scrolling of a plain box as tall as the table, with nothing in it: the browser's own frame cadence. */
  async plain(frames: number, step: number, height: number): Promise<ScrollRun> {
    const box = document.createElement('div');
    box.className = 'table-wrap neuron-scroll';
    box.style.cssText = `max-height: ${560 + ROW_HEIGHT}px; overflow: auto`;
    box.innerHTML = `<div style="height: ${height}px"></div>`;
    document.body.appendChild(box);
    try {
      return await scroll(box, frames, step, null);
    } finally {
      box.remove();
    }
  },
};

(window as unknown as { bench: typeof bench }).bench = bench;
export type NeuronTableBench = typeof bench;
