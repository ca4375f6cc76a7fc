/** What to be wary of in a capture or a run (stored with it: one genre only, too few held-out documents). */
export function Warnings({ warnings, testId }: { warnings: readonly string[]; testId: string }) {
  if (warnings.length === 0) return null;
  return (
    <div className="notice notice-warning" role="note" data-testid={testId}>
      {warnings.map((w) => (
        <p key={w} data-testid={`${testId}-item`}>
          <strong>Warning:</strong> {w.charAt(0).toUpperCase() + w.slice(1)}
        </p>
      ))}
    </div>
  );
}
