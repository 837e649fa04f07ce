import picomatch from 'picomatch';
import type { RepositoryConfig } from './sync-config';

/**
 * Tags are matched as plain strings, not paths: `dot` makes `.` an ordinary character (so `*`
 * matches `1.2.3`), `nonegate` keeps a leading `!` literal (exclusions go in `exclude`; the loader
 * refuses `!` anyway), and `windows: false` makes `\` an escape on every platform. Matching is
 * case-sensitive, as tags are.
 */
const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true, nonegate: true, windows: false };

/**
 * True for a tag matched by some include glob (any tag when there are none) and by no exclude
 * glob: includes first, then excludes.
 */
export function createTagFilter(
  include: readonly string[],
  exclude: readonly string[],
): (tag: string) => boolean {
  const included = include.length === 0 ? () => true : picomatch([...include], GLOB_OPTIONS);
  const excluded = exclude.length === 0 ? () => false : picomatch([...exclude], GLOB_OPTIONS);
  return (tag) => included(tag) && !excluded(tag);
}

/**
 * The tag filter a repository's config asks for. An include list of digests only asks for those
 * manifests and no tags; without this case the empty glob list would mean every tag.
 */
export function repositoryTagFilter(
  repository: Pick<RepositoryConfig, 'include' | 'exclude' | 'digests'>,
): (tag: string) => boolean {
  if (repository.include.length === 0 && repository.digests.length > 0) return () => false;
  return createTagFilter(repository.include, repository.exclude);
}
