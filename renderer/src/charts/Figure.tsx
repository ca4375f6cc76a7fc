import { useRef, type ReactNode } from 'react';
import type { ChartData } from './export';
import { ExportMenu } from './ExportMenu';

/** A chart with its title, a caption line and its export buttons. */
export function Figure({ chartId, title, baseName, caption, data, children }: { chartId: string; title: string; baseName: string; caption?: string; data: ChartData; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  return (
    <figure className="chart-figure" data-testid={`chart-${chartId}`}>
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={box} className="chart-box">
        {children}
      </div>
      {caption && <p className="chart-caption muted">{caption}</p>}
      <ExportMenu chartId={chartId} title={title} baseName={baseName} container={box} data={data} />
    </figure>
  );
}
