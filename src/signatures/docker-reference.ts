import { canonicalRegistryHost, upstreamRepositoryName } from '../config/docker-hub';
import { isRepositoryName, isTag } from '../registry/reference';

/** A `docker-reference` split and normalized: `busybox` is `docker.io/library/busybox`. */
export interface DockerReference {
  /** Registry host (with port) and repository path, normalized: what names the repository. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** distribution/reference grammar: a host name or IPv6 literal, then an optional port. */
const LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** distribution/reference's NameTotalLengthMax. */
const NAME_MAX = 255;

/**
 * Parses a reference as github.com/distribution/reference does (`ParseNormalizedNamed`), the
 * semantics containers-signature.5.md prescribes for `critical.identity.docker-reference`.
 * Returns undefined for anything that is not a valid reference, e.g. a name with upper case.
 */
export function parseDockerReference(value: string): DockerReference | undefined {
  let rest = value;
  const reference: Partial<DockerReference> = {};

  const at = rest.indexOf('@');
  if (at !== -1) {
    reference.digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(reference.digest)) return undefined;
  }
  // A colon after the last slash starts a tag; one before it belongs to a host's port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    reference.tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isTag(reference.tag)) return undefined;
  }
  if (rest.length > NAME_MAX) return undefined;

  const { domain, path } = splitDomain(rest);
  if (!DOMAIN.test(domain) || !isRepositoryName(path)) return undefined;
  const host = canonicalRegistryHost(domain);
  return { ...reference, repository: `${host}/${upstreamRepositoryName(host, path)}` };
}

/**
 * The first component names a registry only when it looks like a host (a dot, a port,
 * `localhost`, or upper case, which a path may not hold); otherwise the name is on Docker Hub.
 */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  const isHost =
    slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  return isHost
    ? { domain: first, path: name.slice(slash + 1) }
    : { domain: 'docker.io', path: name };
}
