/** An error the user should read, announced to screen readers; optional retry. */
export function ErrorAlert({ message, onRetry, testId }: { message: string; onRetry?: () => void; testId?: string }) {
  return (
    <div className="alert alert-error" role="alert" data-testid={testId}>
      <span className="alert-text">{message}</span>
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
