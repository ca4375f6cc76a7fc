// Validation failures in words: every request is checked against a zod schema (api.ts), and a
// user reads what failed as "Max tokens must be at most 1000", not as zod's schema text
// ("Too big: expected number to be <=1000"). The one place that turns zod issues into sentences.
import type { ZodError } from 'zod';

/** The parts of a zod issue the sentences read (zod 4's issue shapes, loosely typed). */
interface Issue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
  format?: string;
  values?: readonly unknown[];
  keys?: readonly string[];
  errors?: readonly (readonly Issue[])[];
  /** invalid_union of a discriminated union: the discriminator's valid values */
  options?: readonly unknown[];
}

/** "maxTokens" -> "Max tokens", ["filter", "documents"] -> "Filter documents", [] -> "The request". */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const words = path
    .filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
    .map((p) => (typeof p === 'number' ? `item ${p + 1}` : p.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase()))
    .join(' ');
  if (words === '') return 'The request';
  return words[0]!.toUpperCase() + words.slice(1);
}

const KIND_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

function bound(issue: Issue, which: 'least' | 'most'): string {
  const n = Number(which === 'least' ? issue.minimum : issue.maximum);
  const strict = issue.inclusive === false;
  switch (issue.origin) {
    case 'string':
      return `must have at ${which} ${n} character${n === 1 ? '' : 's'}`;
    case 'array':
    case 'set':
      return `must have at ${which} ${n} item${n === 1 ? '' : 's'}`;
    default:
      if (strict) return `must be ${which === 'least' ? 'greater' : 'less'} than ${n}`;
      return `must be at ${which} ${n}`;
  }
}

function quoted(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

/** One issue as a sentence that starts with the field's name. */
export function issueMessage(issue: Issue): string {
  const field = fieldLabel(issue.path);
  switch (issue.code) {
    case 'too_small':
      return `${field} ${bound(issue, 'least')}`;
    case 'too_big':
      return `${field} ${bound(issue, 'most')}`;
    case 'invalid_type': {
      if (/received undefined$/.test(issue.message)) return `${field} is required`;
      const kind = KIND_WORDS[issue.expected ?? ''] ?? issue.expected ?? 'another kind of value';
      return `${field} must be ${kind}`;
    }
    case 'invalid_value':
      return issue.values && issue.values.length === 1 ? `${field} must be ${quoted(issue.values[0])}` : `${field} must be one of ${(issue.values ?? []).map(quoted).join(', ')}`;
    case 'unrecognized_keys':
      return `${field} has unknown field${issue.keys?.length === 1 ? '' : 's'} ${(issue.keys ?? []).map(quoted).join(', ')}`;
    case 'invalid_union': {
      if (issue.options && issue.options.length > 0) return `${field} must be one of ${issue.options.map(quoted).join(', ')}`;
      // a union of fixed values and kinds: say what each branch expected
      const wanted = (issue.errors ?? []).map((branch) => {
        const first = branch[0];
        if (!first) return null;
        if (first.code === 'invalid_value') return (first.values ?? []).map(quoted).join(', ');
        if (first.code === 'invalid_type') return KIND_WORDS[first.expected ?? ''] ?? first.expected ?? null;
        return null;
      });
      if (wanted.length > 0 && wanted.every((w) => w)) return `${field} must be ${wanted.join(' or ')}`;
      return `${field} is not valid`;
    }
    case 'not_multiple_of':
      return `${field} must be a multiple of ${String((issue as { divisor?: unknown }).divisor)}`;
    case 'invalid_format':
      // a pattern with its own message ("must be an app route such as ...") says it; zod's default names the regex
      if (issue.format === 'regex') return /^Invalid string/.test(issue.message) ? `${field} is not in the expected form` : `${field} ${issue.message}`;
      return `${field} must be ${issue.format ? `a valid ${issue.format}` : 'well formed'}`;
    default:
      // a custom refinement's message was written for users already
      return issue.path.length > 0 ? `${field}: ${issue.message}` : issue.message;
  }
}

/** All of a validation failure's issues, one sentence each, joined with "; ". */
export function validationMessage(err: ZodError): string {
  return (err.issues as readonly Issue[]).map(issueMessage).join('; ');
}
