import { describe, expect, it } from 'vitest';
import { latexEscape, latexNumber, tableCsv, tableLatex } from './compare-table.js';

describe('compare tables', () => {
  it('escapes LaTeX specials and writes numbers for a paper', () => {
    expect(latexEscape('brown_gpt2 & 10% $x# {a} ~^\\')).toBe('brown\\_gpt2 \\& 10\\% \\$x\\# \\{a\\} \\textasciitilde{}\\textasciicircum{}\\textbackslash{}');
    expect(latexNumber(1337364)).toBe('1337364');
    expect(latexNumber(0.49598123)).toBe('0.496');
    expect(latexNumber(0.000123456)).toBe('$1.23 \\times 10^{-4}$');
    expect(latexNumber(null)).toBe('--');
    expect(latexNumber(Infinity)).toBe('$\\infty$');
  });

  it('CSV quotes what needs quoting and leaves null cells empty; LaTeX aligns text left and numbers right', () => {
    const t = { header: ['model', 'loss'], rows: [['a,b', 1.5], ['c', null]] };
    expect(tableCsv(t)).toBe('model,loss\n"a,b",1.5\nc,\n');
    expect(tableLatex(t)).toBe('\\begin{tabular}{lr}\n\\toprule\nmodel & loss \\\\\n\\midrule\na,b & 1.5 \\\\\nc & -- \\\\\n\\bottomrule\n\\end{tabular}\n');
  });
});
