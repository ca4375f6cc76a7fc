import { useState } from 'react';
import type { AblationResult } from '../api/contract';
import { formatStat } from '../format';

/** One condition's tokens whose loss rose most, each in its context: the input token and the target it had to predict marked. */
export function HurtTokens({ result }: { result: AblationResult }) {
  const [index, setIndex] = useState(0);
  const condition = result.results[index];
  if (!condition) return null;
  return (
    <div className="hurt" data-testid="hurt-tokens">
      <label className="inline-field">
        Condition
        <select className="input" data-testid="hurt-condition" value={index} onChange={(e) => setIndex(Number(e.target.value))}>
          {result.results.map((c, i) => (
            <option key={i} value={i}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      {condition.hurt.length === 0 ? (
        <p className="hint">No token's loss rose under this condition.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Context → target</th>
                <th scope="col">Document</th>
                <th scope="col" className="num">Intact loss</th>
                <th scope="col" className="num">Ablated loss</th>
                <th scope="col" className="num">Δ</th>
              </tr>
            </thead>
            <tbody>
              {condition.hurt.map((h, i) => (
                <tr key={i} data-testid="hurt-row">
                  <td className="context-text mono">
                    {/* `before` ends with the input token */}
                    {h.before.slice(0, Math.max(0, h.before.length - h.token.length))}
                    <mark className="hurt-token" title="the input token">
                      {h.token}
                    </mark>
                    <span className="muted"> → </span>
                    <mark className="hurt-target" title="the token it had to predict">
                      {h.target}
                    </mark>
                  </td>
                  <td className="mono nowrap">{`${h.document} @${h.position}`}</td>
                  <td className="num">{formatStat(h.base)}</td>
                  <td className="num">{formatStat(h.ablated)}</td>
                  <td className="num delta-up">{formatStat(h.delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
