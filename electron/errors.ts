// Errors that cross the API: a code the UI can act on and a message a user can read.
import { ZodError } from 'zod';
import type { ApiErrorCode } from './api.js';
import { validationMessage } from './validation-messages.js';

export class ApiError extends Error {
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Built-in error classes mean a bug; the app's own typed errors carry messages written for users. */
const BUG_CLASSES: readonly unknown[] = [Error, TypeError, RangeError, ReferenceError, SyntaxError];

export function userMessage(err: unknown): string {
  if (err instanceof ZodError) return validationMessage(err);
  if (!(err instanceof Error)) return `internal error: ${String(err)}`;
  return BUG_CLASSES.includes(err.constructor) ? `internal error: ${err.message}` : err.message;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return new ApiError('bad-request', userMessage(err));
  const message = userMessage(err);
  return new ApiError(message.startsWith('internal error') ? 'internal' : 'bad-request', message);
}
