import { SyncError } from '../errors';
import { formatFieldPath } from './field-path';

/** One thing wrong with the config file, at a path into the document (empty for the whole file). */
export interface ConfigProblem {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * All problems as one CONFIG_INVALID error, one line each, `file: path: message`, so a user fixes
 * everything in one pass. Repeats are dropped: a default shared by many repositories can fail the
 * same way for each of them.
 */
export function configError(file: string, problems: readonly ConfigProblem[]): SyncError {
  const lines = problems.map(({ path, message }) => {
    const field = formatFieldPath(path);
    return field === '' ? `${file}: ${message}` : `${file}: ${field}: ${message}`;
  });
  const first = problems[0];
  const path = first === undefined ? undefined : formatFieldPath(first.path);
  return new SyncError('CONFIG_INVALID', [...new Set(lines)].join('\n'), {
    file,
    ...(path ? { path } : {}),
  });
}
