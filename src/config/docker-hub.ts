/**
 * Docker Hub answers to several names: `docker.io` in image references, `index.docker.io` in
 * Docker's config.json (`https://index.docker.io/v1/`), and `registry-1.docker.io` for the API.
 */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `docker.io` itself does not serve the registry API; clients such as containerd map it too. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host.toLowerCase());
}

/** One name per registry host, so that a config.json key and an upstream URL can be compared. */
export function canonicalRegistryHost(host: string): string {
  return isDockerHubHost(host) ? 'docker.io' : host.toLowerCase();
}

/**
 * Official images on Docker Hub live under `library/`: `docker pull alpine` pulls
 * `library/alpine`, and the API knows only the long name.
 */
export function upstreamRepositoryName(host: string, repository: string): string {
  return isDockerHubHost(host) && !repository.includes('/') ? `library/${repository}` : repository;
}
