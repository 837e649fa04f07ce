import type { z } from 'zod';
import type { ConfigProblem } from './config-problem';
import { describeValue } from './describe-value';
import { formatFieldPath } from './field-path';
import { isLiteralSecretKey, LITERAL_SECRET_HINT } from './literal-secret';

type Issue = z.core.$ZodIssue;

/** Zod's type names in the words a YAML author uses. */
const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/**
 * Zod issues as config problems. An unknown key becomes one problem per key, at the key's own
 * path; a key that would hold a literal secret is answered with where credentials go instead,
 * which also stands in for any complaint about the block it sits in.
 */
export function problemsFromIssues(issues: readonly Issue[]): ConfigProblem[] {
  const holdingSecrets = new Set(
    issues
      .filter((issue) => issue.code === 'unrecognized_keys' && issue.keys.some(isLiteralSecretKey))
      .map((issue) => formatFieldPath(issue.path)),
  );
  const kept = issues.filter(
    (issue) => issue.code !== 'custom' || !holdingSecrets.has(formatFieldPath(issue.path)),
  );

  return kept.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return [{ path: issue.path, message: explain(issue) }];
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      message: isLiteralSecretKey(key) ? LITERAL_SECRET_HINT : 'unknown key',
    }));
  });
}

function explain(issue: Issue): string {
  // Anything under `credentials` may be a secret pasted into the wrong key: never quote it.
  const got = issue.path.includes('credentials') ? '' : `, got ${describeValue(issue.input)}`;

  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? `a ${issue.expected}`;
      if (issue.input === undefined) return `missing; expected ${expected}`;
      return `expected ${expected}${got}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}${got}`;
    case 'too_small': {
      if (issue.origin !== 'array') return issue.message;
      return `expected at least ${issue.minimum} ${issue.minimum === 1 ? 'entry' : 'entries'}`;
    }
    default:
      // `custom` issues come from config-schema.ts and are written to be shown as they are.
      return issue.message;
  }
}
