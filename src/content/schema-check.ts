import type { z } from 'zod';

/**
 * Runs a boundary schema and turns its first issue into one readable line that names the field
 * (`layers[2].digest: not a valid digest`), so an error message says where a document is wrong.
 * `fail` is given the issue too, for callers whose error code depends on what was wrong.
 */
export function checkSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  fail: (problem: string, issue?: z.core.$ZodIssue) => Error,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;

  const issue = result.error.issues[0];
  const where = issue ? formatPath(issue.path) : '';
  throw fail(`${where || 'document'}: ${issue?.message ?? 'does not match its schema'}`, issue);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`))
    .join('');
}
