// The notebook as one self-contained HTML file: styles inline, every figure an inline SVG, no
// external resource, so it opens anywhere (and prints) months later.
import { rerunText, stepLabels } from './markdown.js';
import { escapeXml as esc, figureSvg } from './svg.js';
import type { Notebook } from './types.js';

const STYLE = `body{font:14px/1.5 Helvetica,Arial,sans-serif;max-width:920px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:2em;border-top:1px solid #ddd;padding-top:1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
.meta{color:#666}.step-kind{display:inline-block;font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#0072B2}
figure{margin:1em 0}figcaption{color:#555;font-size:12px}code{background:#f4f4f4;padding:0 3px}`;

export function notebookHtml(nb: Notebook): string {
  const m = nb.model;
  const steps = nb.steps.map((step, i) => {
    const settings = step.settings.length === 0 ? '' : `<table><tr><th>setting</th><th>value</th></tr>${step.settings.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>`;
    const figure = step.figure ? `<figure>${figureSvg(step.figure)}<figcaption>${esc(step.figure.caption)}</figcaption></figure>` : '';
    const again = rerunText(step);
    return (
      `<section class="step" data-kind="${step.kind}" data-id="${step.id}"><h2><span class="step-kind">${esc(stepLabels[step.kind])}</span><br>${i + 1}. ${esc(step.title)}</h2>` +
      `<p class="meta">${esc(step.at)} · ${esc(step.kind)} ${step.id}</p><p>${esc(step.summary)}</p>${settings}${figure}` +
      (again ? `<p class="meta">Run again: <code>${esc(again)}</code></p>` : '') +
      '</section>'
    );
  });
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Study notebook: ${esc(m.name)}</title><style>${STYLE}</style></head><body>` +
    `<h1>Study notebook: ${esc(m.name)}</h1><p class="meta">Generated ${esc(nb.generatedAt)} by FFN Lab ${esc(nb.appVersion)}. ${nb.steps.length} steps, oldest first.</p>` +
    `<table><tr><th>name</th><td>${esc(m.name)}</td></tr><tr><th>architecture</th><td>${esc(`${m.architecture} (${m.family})`)}</td></tr><tr><th>format</th><td>${esc(m.format)}</td></tr>` +
    `<tr><th>parameters</th><td>${m.params}</td></tr><tr><th>files</th><td>${esc(m.path)}</td></tr><tr><th>sha256</th><td><code>${esc(m.sha256)}</code></td></tr></table>` +
    steps.join('') +
    '</body></html>\n'
  );
}
