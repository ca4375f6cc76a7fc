import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useApi } from '../api/ApiContext';
import type { ProjectionData, SampleContext, SelectionNeuron } from '../api/contract';
import { errorMessage } from '../api/errors';
import { useQuery } from '../api/useQuery';
import { download, toCsv, type ExportFormat } from '../charts/export';
import { canvasThumbnail, currentRoute, svgTextThumbnail } from '../charts/thumbnail';
import { PT_PER_PX, svgToPdf } from '../charts/pdf';
import { manifoldFigureSvg, type FigureBackground } from './figureSvg';
import { forDarkBackground } from './darkFloor';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { formatStat } from '../format';
import { hrefFor } from '../routing/route';
import { colouringOf, expertValues, type Legend, type Value } from './colouring';
import { parseNeuronList } from './ProjectionForm';
import { inBox, inPolygonGrid, nearest, normalizeLayer } from './picking';
import { PointCloud, webglAvailable } from './scene';

const BACKGROUND = '#14161a';

/** What the points can be coloured by: the fixed columns, every metadata field, or a neuron. */
function colourOptions(data: ProjectionData): Array<{ key: string; label: string }> {
  const fields = Object.keys(data.points.fields).sort((a, b) => (a === 'genre' ? -1 : b === 'genre' ? 1 : a.localeCompare(b)));
  return [
    ...fields.map((f) => ({ key: `field:${f}`, label: f === 'pos' ? 'part of speech' : f })),
    { key: 'token', label: 'token' },
    { key: 'document', label: 'document' },
    { key: 'position', label: 'position in document' },
    { key: 'loss', label: 'loss' },
    { key: 'neuron', label: 'a neuron’s activation…' },
    // mixture of experts: the expert the router chose first for the token at a chosen layer
    ...(data.points.topExpert !== undefined ? [{ key: 'expert', label: 'top-1 expert at a layer…' }] : []),
  ];
}

function valuesFor(data: ProjectionData, key: string, neuron: Map<number, number> | null, expertLayer = 0): Value[] {
  if (key === 'expert') return expertValues(data.points.topExpert, expertLayer, data.points.sampleId.length);
  if (key.startsWith('field:')) return data.points.fields[key.slice(6)] ?? [];
  if (key === 'token') return data.points.token;
  if (key === 'document') return data.points.document;
  if (key === 'position') return data.points.position;
  if (key === 'loss') return data.points.loss;
  return data.points.sampleId.map((id) => neuron?.get(id) ?? null);
}

function LegendView({ legend }: { legend: Legend }) {
  if (legend.kind === 'categorical') {
    return (
      <div className="manifold-legend" data-testid="manifold-legend" aria-label={`Legend: ${legend.title}`}>
        <div className="manifold-legend-title">{legend.title}</div>
        <ul>
          {legend.entries.map((e) => (
            <li key={e.label} data-testid="legend-entry">
              <span className="swatch" style={{ background: e.color }} aria-hidden="true" />
              {e.label} <span className="muted">({e.count})</span>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className="manifold-legend" data-testid="manifold-legend" aria-label={`Legend: ${legend.title}`}>
      <div className="manifold-legend-title">{legend.title}</div>
      <div className="gradient" style={{ background: `linear-gradient(to right, ${legend.stops.join(', ')})` }} aria-hidden="true" />
      <div className="gradient-labels">
        <span>{formatStat(legend.min)}</span>
        <span>{formatStat(legend.max)}</span>
      </div>
      {legend.missing > 0 && <div className="muted">{legend.missing} without a value (grey)</div>}
    </div>
  );
}

/** The legend drawn onto an exported image, scaled with it. */
function drawLegend(canvas: HTMLCanvasElement, legend: Legend, scale: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const s = scale;
  ctx.font = `${12 * s}px sans-serif`;
  ctx.textBaseline = 'middle';
  let y = 16 * s;
  ctx.fillStyle = '#ffffff';
  ctx.fillText(legend.title, 12 * s, y);
  y += 18 * s;
  if (legend.kind === 'categorical') {
    for (const e of legend.entries) {
      ctx.fillStyle = e.color;
      ctx.fillRect(12 * s, y - 5 * s, 10 * s, 10 * s);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(`${e.label} (${e.count})`, 28 * s, y);
      y += 16 * s;
    }
  } else {
    const grad = ctx.createLinearGradient(12 * s, 0, 172 * s, 0);
    legend.stops.forEach((c, i) => grad.addColorStop(i / (legend.stops.length - 1), c));
    ctx.fillStyle = grad;
    ctx.fillRect(12 * s, y - 6 * s, 160 * s, 12 * s);
    ctx.fillStyle = '#ffffff';
    ctx.fillText(`${formatStat(legend.min)}`, 12 * s, y + 16 * s);
    ctx.textAlign = 'right';
    ctx.fillText(`${formatStat(legend.max)}`, 172 * s, y + 16 * s);
    ctx.textAlign = 'left';
  }
}

function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'));
}

export function ManifoldView({ runId, datasetId, modelId }: { runId: number; datasetId: number; modelId: number }) {
  const api = useApi();
  const query = useQuery(`projection:${runId}`, () => api.call('projection.get', { id: runId }));
  const data = query.data;
  if (query.error && !data) return <ErrorAlert message={`Could not load projection ${runId}: ${query.error.message}`} onRetry={query.reload} />;
  if (!data) return <Loading label="Loading the projection…" />;
  if (!webglAvailable()) {
    return (
      <ErrorAlert
        testId="manifold-no-webgl"
        message="The 3D view needs WebGL 2, and this browser gives none (hardware acceleration off, or a browser without WebGL). Turn on hardware acceleration or open the app in another browser; the projection is stored, and the CLI prints it (ffn-lab project)."
      />
    );
  }
  return <Viewer key={runId} data={data} datasetId={datasetId} modelId={modelId} />;
}

function Viewer({ data, datasetId, modelId }: { data: ProjectionData; datasetId: number; modelId: number }) {
  const api = useApi();
  const wrap = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [cloud, setCloud] = useState<PointCloud | null>(null);
  const [error, setError] = useState<string | null>(null);
  const options = useMemo(() => colourOptions(data), [data]);
  const [colourBy, setColourBy] = useState(options[0]?.key ?? 'position');
  const [neuronText, setNeuronText] = useState('');
  const [neuronValues, setNeuronValues] = useState<Map<number, number> | null>(null);
  const [layerIndex, setLayerIndex] = useState(0);
  const [ablatedOn, setAblatedOn] = useState(false);
  const [pointSize, setPointSize] = useState(data.run.points > 200_000 ? 1.5 : data.run.points > 20_000 ? 2.5 : 4);
  const [hover, setHover] = useState<{ index: number; x: number; y: number } | null>(null);
  const [picked, setPicked] = useState<{ index: number; context: SampleContext | null } | null>(null);
  const [box, setBox] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);
  const [lasso, setLasso] = useState<Array<{ x: number; y: number }> | null>(null);
  const [selection, setSelection] = useState<number[] | null>(null);
  const [busyExport, setBusyExport] = useState(false);
  const [figureBackground, setFigureBackground] = useState<FigureBackground>('white');

  const layers = data.layers;
  const layer = layers[Math.min(layerIndex, layers.length - 1)];
  const placed = useMemo(() => layers.map((l) => normalizeLayer(l.coords, data.run.dims, l.ablated)), [layers, data.run.dims]);
  const hasAblated = layers.some((l) => l.ablated !== null);
  const positions = (i: number) => (ablatedOn && placed[i]?.ablated) || (placed[i]?.intact as Float32Array);
  // mixture of experts: the layer whose router colours the points (null: the layer shown)
  const [expertLayerChosen, setExpertLayer] = useState<number | null>(null);
  const expertLayer = expertLayerChosen ?? layer?.layer ?? 0;
  const colouring = useMemo(() => {
    const label = options.find((o) => o.key === colourBy)?.label ?? colourBy;
    const title = colourBy === 'neuron' ? `neuron ${neuronText}` : colourBy === 'expert' ? `top-1 expert, layer ${expertLayer}` : label;
    return colouringOf(title, valuesFor(data, colourBy, neuronValues, expertLayer));
  }, [data, colourBy, neuronValues, neuronText, options, expertLayer]);

  // the canvas is near-black: colours too dark to see there (viridis' low end) are lifted to a floor
  const onCanvas = useMemo(() => forDarkBackground(colouring), [colouring]);

  // the GPU side lives as long as the canvas
  useEffect(() => {
    const canvas = canvasRef.current;
    const box = wrap.current;
    if (!canvas || !box) return;
    let c: PointCloud;
    try {
      c = new PointCloud(canvas, BACKGROUND);
    } catch (e) {
      setError(`The 3D view could not start WebGL: ${errorMessage(e)}`);
      return;
    }
    const size = () => c.resize(canvas.clientWidth, canvas.clientHeight);
    size();
    const observer = new ResizeObserver(size);
    observer.observe(canvas);
    const off = c.onChange(() => setHover(null));
    setCloud(c);
    return () => {
      off();
      observer.disconnect();
      c.dispose();
    };
  }, []);

  useEffect(() => {
    if (cloud) cloud.setPoints(positions(layerIndex), onCanvas.colors);
    // new points only when the projection changes; moves and colours have their own effects
  }, [cloud, placed]);
  useEffect(() => {
    if (cloud && cloud.count > 0) void cloud.moveTo(positions(layerIndex));
  }, [layerIndex, ablatedOn]);
  useEffect(() => cloud?.setColors(onCanvas.colors), [cloud, onCanvas]);
  useEffect(() => cloud?.setPointSize(pointSize), [cloud, pointSize]);
  useEffect(() => cloud?.setSelection(selection), [cloud, selection]);

  const loadNeuron = async () => {
    const parsed = parseNeuronList(neuronText);
    if (typeof parsed === 'string' || parsed.length !== 1) return setError('Give one neuron as layer:neuron, e.g. 1:42.');
    try {
      const r = await api.call('projection.neuronValues', { datasetId, layer: parsed[0]!.layer, neuron: parsed[0]!.neuron });
      setNeuronValues(new Map(r.sampleIds.map((id, i) => [id, r.values[i] as number])));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const pick = async (index: number) => {
    setPicked({ index, context: null });
    try {
      const context = await api.call('projection.context', { sampleId: data.points.sampleId[index] as number });
      setPicked((p) => (p && p.index === index ? { index, context } : p));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const local = (e: PointerEvent) => {
    const r = (canvasRef.current as HTMLCanvasElement).getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const down = useRef<{ x: number; y: number; shift: boolean; alt: boolean } | null>(null);
  const onPointerDown = (e: PointerEvent) => {
    const p = local(e);
    down.current = { ...p, shift: e.shiftKey, alt: e.altKey && !e.shiftKey };
    if ((e.shiftKey || e.altKey) && cloud) {
      // shift-drag draws a selection box, alt-drag a lasso, instead of orbiting
      cloud.controls.enabled = false;
      if (e.shiftKey) setBox({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
      else setLasso([p]);
    }
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!cloud) return;
    const p = local(e);
    if (box && down.current?.shift) return setBox({ ...box, x1: p.x, y1: p.y });
    if (lasso && down.current?.alt) return setLasso([...lasso, p]);
    if (e.buttons !== 0) return;
    const i = nearest(cloud.screenGrid(), p.x, p.y);
    setHover(i >= 0 ? { index: i, x: p.x, y: p.y } : null);
  };
  const onPointerUp = (e: PointerEvent) => {
    if (!cloud || !down.current) return;
    const p = local(e);
    const start = down.current;
    down.current = null;
    if (start.shift && box) {
      cloud.controls.enabled = true;
      const chosen = inBox(cloud.screenGrid().screen, box.x0, box.y0, p.x, p.y);
      setBox(null);
      setSelection(chosen.length > 0 ? chosen : null);
      return;
    }
    if (start.alt && lasso) {
      cloud.controls.enabled = true;
      const chosen = inPolygonGrid(cloud.screenGrid(), [...lasso, p]);
      setLasso(null);
      setSelection(chosen.length > 0 ? chosen : null);
      return;
    }
    if (Math.hypot(p.x - start.x, p.y - start.y) > 4) return; // a drag of the camera
    const i = nearest(cloud.screenGrid(), p.x, p.y);
    if (i >= 0) void pick(i);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === 'INPUT' || (e.target as HTMLElement).tagName === 'SELECT') return;
    if (e.key === ']') setLayerIndex((i) => Math.min(layers.length - 1, i + 1));
    else if (e.key === '[') setLayerIndex((i) => Math.max(0, i - 1));
    else if (e.key === 'a' && hasAblated) setAblatedOn((v) => !v);
    else if (e.key === 'r') cloud?.resetCamera();
    else if (e.key === 'Escape') setSelection(null);
    else return;
    e.preventDefault();
  };

  const baseName = `dataset-${datasetId}-projection-${data.run.id}-layer-${layer?.layer ?? 0}${ablatedOn ? '-ablated' : ''}`;
  const exportPng = async (format: ExportFormat, scale: number) => {
    if (!cloud) return;
    setBusyExport(true);
    try {
      const canvas = cloud.snapshot(scale);
      drawLegend(canvas, onCanvas.legend, scale);
      const blob = await canvasPng(canvas);
      const file = `${baseName}@${scale}x.png`;
      download(blob, file);
      const source = currentRoute();
      await api.call('figures.record', { file, chart: `Manifold, layer ${layer?.layer}`, format, bytes: blob.size, width: canvas.width, height: canvas.height, thumbnail: canvasThumbnail(canvas), ...(source ? { source } : {}) });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusyExport(false);
    }
  };
  /** The layer on its first two axes as a figure (axes with explained variance, legend, caption), SVG or vector PDF. */
  const export2d = async (format: 'svg' | 'pdf') => {
    if (!layer) return;
    setBusyExport(true);
    try {
      const text = manifoldFigureSvg({
        coords: (ablatedOn && layer.ablated) || layer.coords,
        dims: data.run.dims,
        colors: colouring.colors,
        legend: colouring.legend,
        method: data.run.method,
        explainedVariance: layer.explainedVariance,
        title: `Layer ${layer.layer}, ${data.run.space === 'ffn' ? 'FFN activations' : 'residual stream'}${ablatedOn ? `, ${data.run.ablation?.neurons} neurons ablated` : ''}`,
        caption: `${data.run.method.toUpperCase()} of ${data.run.points.toLocaleString('en-US')} sampled tokens${data.run.sharedBasis ? ' (one basis for all layers)' : ''}; axes 1 and 2 of ${data.run.dims}; colour: ${colouring.legend.title}${colouring.legend.kind === 'continuous' ? ', clipped to its 1st-99th percentiles' : ''}.`,
        background: figureBackground,
      });
      const blob = format === 'svg' ? new Blob([text], { type: 'image/svg+xml' }) : new Blob([svgToPdf(text) as BlobPart], { type: 'application/pdf' });
      const file = `${baseName}-2d.${format}`;
      download(blob, file);
      const size = /width="(\d+)" height="(\d+)"/.exec(text);
      const thumbnail = await svgTextThumbnail(text);
      const source = currentRoute();
      const scale = format === 'pdf' ? PT_PER_PX : 1;
      await api.call('figures.record', {
        file,
        chart: `Manifold 2-D, layer ${layer.layer}`,
        format,
        bytes: blob.size,
        ...(size ? { width: Math.round(Number(size[1]) * scale), height: Math.round(Number(size[2]) * scale) } : {}),
        ...(thumbnail ? { thumbnail } : {}),
        ...(source ? { source } : {}),
      });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusyExport(false);
    }
  };
  const exportCsv = () => {
    const fields = Object.keys(data.points.fields);
    const dims = data.run.dims;
    const axes = ['x', 'y', 'z'].slice(0, dims);
    const l = layer!;
    const header = ['sample_id', 'token', 'document', 'position', 'loss', ...fields, 'layer', ...axes, ...(l.ablated ? axes.map((a) => `ablated_${a}`) : [])];
    const rows = data.points.sampleId.map((id, i) => [
      id,
      data.points.token[i] as string,
      data.points.document[i] as string,
      data.points.position[i] as number,
      data.points.loss[i] ?? null,
      ...fields.map((f) => {
        const v = data.points.fields[f]![i];
        return v === undefined || v === null ? null : typeof v === 'boolean' ? String(v) : v;
      }),
      l.layer,
      ...l.coords.slice(i * dims, (i + 1) * dims),
      ...(l.ablated ? l.ablated.slice(i * dims, (i + 1) * dims) : []),
    ]);
    const blob = new Blob([toCsv(header, rows)], { type: 'text/csv' });
    const file = `${baseName}.csv`;
    download(blob, file);
    void api.call('figures.record', { file, chart: `Manifold, layer ${l.layer}`, format: 'csv', bytes: blob.size }).catch((e: unknown) => setError(errorMessage(e)));
  };

  const explained = layer?.explainedVariance;
  return (
    <section className="manifold" aria-label="3D view of the projection" onKeyDown={onKeyDown} data-testid="manifold-view" data-points={data.run.points}>
      <div className="manifold-controls" role="group" aria-label="View controls">
        <div className="field">
          <label htmlFor="manifold-layer">
            Layer <strong data-testid="manifold-layer-value">{layer?.layer}</strong>
          </label>
          <input id="manifold-layer" type="range" min={0} max={Math.max(0, layers.length - 1)} step={1} value={layerIndex} onChange={(e) => setLayerIndex(Number(e.target.value))} data-testid="manifold-layer" aria-valuetext={`layer ${layer?.layer}`} />
        </div>
        <div className="field">
          <label htmlFor="manifold-colour">Colour by</label>
          <select id="manifold-colour" className="input" value={colourBy} onChange={(e) => setColourBy(e.target.value)} data-testid="manifold-colour">
            {options.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {colourBy === 'expert' && data.points.topExpert === null && (
          <p className="hint" data-testid="manifold-expert-missing">
            This capture predates stored router choices: re-capture needed to colour by expert.
          </p>
        )}
        {colourBy === 'expert' && data.points.topExpert && (
          <div className="field">
            <label htmlFor="manifold-expert-layer">Expert chosen at layer</label>
            <select id="manifold-expert-layer" className="input" value={expertLayer} onChange={(e) => setExpertLayer(Number(e.target.value))} data-testid="manifold-expert-layer">
              {data.points.topExpert.map((_, l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </div>
        )}
        {colourBy === 'neuron' && (
          <div className="field">
            <label htmlFor="manifold-neuron">Neuron (layer:neuron)</label>
            <div className="input-row">
              <input id="manifold-neuron" className="input" placeholder="1:42" value={neuronText} onChange={(e) => setNeuronText(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && void loadNeuron()} data-testid="manifold-neuron" />
              <button type="button" className="button button-small" onClick={() => void loadNeuron()}>
                Show
              </button>
            </div>
          </div>
        )}
        <div className="field">
          <label htmlFor="manifold-size">Point size</label>
          <input id="manifold-size" type="range" min={1} max={10} step={0.5} value={pointSize} onChange={(e) => setPointSize(Number(e.target.value))} />
        </div>
        {hasAblated && (
          <label className="field-check">
            <input type="checkbox" checked={ablatedOn} onChange={(e) => setAblatedOn(e.target.checked)} data-testid="manifold-ablated" /> Ablated ({data.run.ablation?.neurons} neurons, {data.run.ablation?.method})
          </label>
        )}
        <div className="export-menu" role="group" aria-label="Export the view">
          <span className="muted">Export</span>
          <button type="button" className="button button-small" disabled={busyExport} onClick={() => void exportPng('png-2x', 2)} data-testid="manifold-export-png-2x">
            PNG 2×
          </button>
          <button type="button" className="button button-small" disabled={busyExport} onClick={() => void exportPng('png-4x', 4)} data-testid="manifold-export-png-4x">
            PNG 4×
          </button>
          <button type="button" className="button button-small" onClick={exportCsv} data-testid="manifold-export-csv">
            CSV
          </button>
          <button type="button" className="button button-small" disabled={busyExport || data.run.dims < 2} onClick={() => void export2d('svg')} data-testid="manifold-export-svg-2d" title="The layer on its first two axes: axes labelled with explained variance, legend, caption">
            SVG 2-D
          </button>
          <button type="button" className="button button-small" disabled={busyExport || data.run.dims < 2} onClick={() => void export2d('pdf')} data-testid="manifold-export-pdf-2d" title="The same figure as a vector PDF">
            PDF 2-D
          </button>
          <select className="input input-small" aria-label="Background of the 2-D figure" value={figureBackground} onChange={(e) => setFigureBackground(e.target.value as FigureBackground)} data-testid="manifold-figure-background">
            <option value="white">white background</option>
            <option value="dark">dark background</option>
          </select>
        </div>
      </div>
      {error && <ErrorAlert message={error} />}
      <div className="manifold-stage" ref={wrap}>
        <canvas
          ref={canvasRef}
          className="manifold-canvas"
          tabIndex={0}
          aria-label={`${data.run.points} points, layer ${layer?.layer}. Drag to orbit, scroll to zoom, right-drag or arrow keys to pan, shift-drag a box or alt-drag a lasso to select, [ and ] change layer, r resets the camera.`}
          data-testid="manifold-canvas"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => setHover(null)}
        />
        {box && <div className="manifold-box" style={{ left: Math.min(box.x0, box.x1), top: Math.min(box.y0, box.y1), width: Math.abs(box.x1 - box.x0), height: Math.abs(box.y1 - box.y0) }} />}
        {lasso && (
          <svg className="manifold-lasso" aria-hidden="true">
            <polygon points={lasso.map((q) => `${q.x},${q.y}`).join(' ')} />
          </svg>
        )}
        {hover && (
          <div className="manifold-tooltip" style={{ left: hover.x + 12, top: hover.y + 12 }} data-testid="manifold-tooltip">
            <strong>{JSON.stringify(data.points.token[hover.index])}</strong> <span className="muted">{data.points.document[hover.index]}:{data.points.position[hover.index]}</span>
          </div>
        )}
        <LegendView legend={onCanvas.legend} />
      </div>
      <p className="hint">
        {data.run.method.toUpperCase()} of the {data.run.space === 'ffn' ? 'FFN activations' : 'residual stream'}, {data.run.points.toLocaleString()} points
        {explained ? ` · explained variance ${explained.map((v) => `${(100 * v).toFixed(1)}%`).join(', ')}` : ''}
        {data.run.sharedBasis ? ' · one basis for all layers' : ''}. Drag to orbit, scroll to zoom, right-drag to pan; click a point for its context; shift-drag a box or alt-drag a lasso to select; keys [ ] change layer, a toggles ablated, r resets.
      </p>
      {picked && <ContextPanel data={data} picked={picked} onClose={() => setPicked(null)} />}
      {selection && <SelectionPanel datasetId={datasetId} modelId={modelId} layer={layer?.layer ?? 0} sampleIds={selection.map((i) => data.points.sampleId[i] as number)} onClear={() => setSelection(null)} />}
    </section>
  );
}

function ContextPanel({ data, picked, onClose }: { data: ProjectionData; picked: { index: number; context: SampleContext | null }; onClose: () => void }) {
  const c = picked.context;
  const i = picked.index;
  const fields = Object.entries(data.points.fields).map(([k, v]) => [k, v[i]] as const);
  return (
    <section className="card manifold-context" data-testid="manifold-context" aria-live="polite">
      <div className="section-head">
        <h3 className="card-title">
          Token <span data-testid="manifold-context-token">{JSON.stringify(data.points.token[i])}</span>
        </h3>
        <button type="button" className="button button-small button-ghost" onClick={onClose}>
          Close
        </button>
      </div>
      {c ? (
        <p className="context-text" data-testid="manifold-context-text">
          …{c.before}
          <mark>{c.token}</mark>
          {c.after}…
        </p>
      ) : (
        <Loading label="Loading the context…" />
      )}
      <dl className="kv-inline">
        <div className="kv-pair">
          <dt>document</dt>
          <dd>{data.points.document[i]}</dd>
        </div>
        <div className="kv-pair">
          <dt>position</dt>
          <dd>{data.points.position[i]}</dd>
        </div>
        <div className="kv-pair">
          <dt>loss</dt>
          <dd>{formatStat(data.points.loss[i] ?? null)}</dd>
        </div>
        {fields.map(([k, v]) => (
          <div className="kv-pair" key={k}>
            <dt>{k === 'pos' ? 'part of speech' : k}</dt>
            <dd>{v === null || v === undefined ? '–' : String(v)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function SelectionPanel({ datasetId, modelId, layer, sampleIds, onClear }: { datasetId: number; modelId: number; layer: number; sampleIds: number[]; onClear: () => void }) {
  const api = useApi();
  const top = useQuery(`top:${datasetId}:${layer}:${sampleIds.length}:${sampleIds[0]}:${sampleIds.at(-1)}`, () => api.call('projection.topNeurons', { datasetId, sampleIds, layer, limit: 20 }));
  const [name, setName] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = async (neurons: SelectionNeuron[]) => {
    try {
      const set = await api.call('sets.create', {
        modelId,
        name: name.trim() || `manifold selection, layer ${layer}, ${sampleIds.length} tokens`,
        neurons: neurons.map((n) => ({ layer: n.layer, neuron: n.neuron })),
        origin: { kind: 'manifold-selection', datasetId, layer, samples: sampleIds.length },
      });
      setSaved(`Saved neuron set “${set.name}” (${set.neurons.length} neurons).`);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section className="card manifold-selection" data-testid="manifold-selection">
      <div className="section-head">
        <h3 className="card-title">
          {sampleIds.length} points selected: neurons of layer {layer} that fire most on them
        </h3>
        <button type="button" className="button button-small button-ghost" onClick={onClear}>
          Clear selection
        </button>
      </div>
      {top.error && <ErrorAlert message={top.error.message} onRetry={top.reload} />}
      {!top.data ? (
        <Loading label="Ranking neurons…" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="selection-neurons">
              <thead>
                <tr>
                  <th>neuron</th>
                  <th className="num">score (z)</th>
                  <th className="num">mean here</th>
                  <th className="num">mean overall</th>
                </tr>
              </thead>
              <tbody>
                {top.data.map((n) => (
                  <tr key={`${n.layer}:${n.neuron}`}>
                    <td>
                      <a href={hrefFor('neurons', datasetId, n.layer, n.neuron)}>
                        {n.layer}:{n.neuron}
                      </a>
                    </td>
                    <td className="num">{formatStat(n.score)}</td>
                    <td className="num">{formatStat(n.selectionMean)}</td>
                    <td className="num">{formatStat(n.datasetMean)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="input-row">
            <label htmlFor="selection-set-name" className="visually-hidden">
              Neuron set name
            </label>
            <input id="selection-set-name" className="input" placeholder="neuron set name" value={name} onChange={(e) => setName(e.target.value)} data-testid="selection-set-name" />
            <button type="button" className="button button-small" disabled={top.data.length === 0} onClick={() => void save(top.data ?? [])} data-testid="selection-save-set">
              Save as neuron set
            </button>
          </div>
          {saved && (
            <p className="hint" role="status" data-testid="selection-saved">
              {saved}
            </p>
          )}
          {error && <ErrorAlert message={error} />}
        </>
      )}
    </section>
  );
}
