import { isDigest } from '../content/digest';

/**
 * Name and tag grammar of the distribution spec (distribution-spec/spec.md, "Pulling manifests").
 * Checked before either goes into a URL path, so neither can add a path segment or a query.
 */
const REPOSITORY_NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function isRepositoryName(value: string): boolean {
  return REPOSITORY_NAME.test(value);
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

/** A manifest reference is a tag or a digest. */
export function isManifestReference(value: string): boolean {
  return isTag(value) || isDigest(value);
}
