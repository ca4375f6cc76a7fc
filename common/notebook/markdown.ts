// The notebook as Markdown: one heading per step with its settings as a table, what it found,
// and how to run it again; figures are described by their data (Markdown has no inline SVG).
import { formatStat } from '../format.js';
import type { Notebook, NotebookStep } from './types.js';

export const stepLabels: Record<NotebookStep['kind'], string> = {
  import: 'Import',
  'weight-scan': 'Weight scan',
  capture: 'Capture',
  ablation: 'Ablation',
  projection: 'Projection',
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function rerunText(step: NotebookStep): string | null {
  if (!step.rerun) return null;
  return `API \`${step.rerun.method}\` ${JSON.stringify(step.rerun.params)}`;
}

export function notebookMarkdown(nb: Notebook): string {
  const m = nb.model;
  const out: string[] = [
    `# Study notebook: ${m.name}`,
    '',
    `Generated ${nb.generatedAt} by FFN Lab ${nb.appVersion}. ${nb.steps.length} step${nb.steps.length === 1 ? '' : 's'}, oldest first.`,
    '',
    '| model | |',
    '| --- | --- |',
    `| name | ${cell(m.name)} |`,
    `| architecture | ${cell(`${m.architecture} (${m.family})`)} |`,
    `| format | ${cell(m.format)} |`,
    `| parameters | ${m.params} |`,
    `| files | ${cell(m.path)} |`,
    `| sha256 | ${m.sha256} |`,
    '',
  ];
  nb.steps.forEach((step, i) => {
    out.push(`## ${i + 1}. ${stepLabels[step.kind]}: ${step.title}`, '', `${step.at} · ${step.kind} ${step.id}`, '', step.summary, '');
    if (step.settings.length > 0) {
      out.push('| setting | value |', '| --- | --- |', ...step.settings.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`), '');
    }
    if (step.figure) {
      out.push(`**${step.figure.title}** (${step.figure.unit}): ${step.figure.bars.map((b) => `${b.label} ${formatStat(b.value)}${b.low !== null && b.high !== null ? ` [${formatStat(b.low)}, ${formatStat(b.high)}]` : ''}`).join('; ')}`, '');
    }
    const again = rerunText(step);
    if (again) out.push(`Run again: ${again}`, '');
  });
  return out.join('\n');
}
