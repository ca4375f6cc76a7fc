import type { ApiErrorCode } from './contract';

/** What went wrong on a call: the backend's own codes, plus those the client itself detects. */
export type ClientErrorCode = ApiErrorCode | 'network' | 'unauthorized' | 'cancelled';

const backendCodes: readonly ApiErrorCode[] = ['bad-request', 'not-found', 'conflict', 'unavailable', 'internal'];

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (backendCodes as readonly string[]).includes(value);
}

/** An error from an API call, with a message meant for the user. */
export class ApiError extends Error {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Reads an ApiError out of a backend error body ({error: {code, message}}) or a bare
 * {code, message}; null when the value is neither.
 */
export function apiErrorFromBody(body: unknown): ApiError | null {
  if (!isRecord(body)) return null;
  const inner = isRecord(body.error) ? body.error : body;
  if (typeof inner.message !== 'string') return null;
  return new ApiError(isApiErrorCode(inner.code) ? inner.code : 'internal', inner.message);
}

/** A message for any thrown value, for showing in the UI. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'Unexpected error';
}
