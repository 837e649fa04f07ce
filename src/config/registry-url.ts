import { describeValue } from './describe-value';
import { DOCKER_HUB_API_HOST } from './docker-hub';
import { LITERAL_SECRET_HINT } from './literal-secret';

export interface RegistryUrl {
  /** Scheme and host, no trailing slash. */
  url: string;
  /** Host, lowercase, with its port unless it is the scheme's default. */
  host: string;
}

/**
 * Checks an upstream registry URL. Only the scheme and host are kept: the distribution API lives
 * at `/v2/` on the host, so a path would be silently dropped; refusing it says so instead.
 */
export function parseRegistryUrl(value: string): RegistryUrl | { problem: string } {
  const got = `got ${describeValue(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `expected a URL such as https://registry.example.com, ${got}` };
  }

  // Checked before any message quotes the value: a password in a URL must not reach a log.
  if (url.username !== '' || url.password !== '') return { problem: LITERAL_SECRET_HINT };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: `expected an http or https URL, ${got}` };
  }
  if (url.hostname === '') return { problem: `expected a URL with a host, ${got}` };
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    const why = 'the registry API is always at /v2/ on the host';
    return { problem: `expected a URL without path, query or fragment (${why}), ${got}` };
  }

  const host = url.host === 'docker.io' ? DOCKER_HUB_API_HOST : url.host;
  return { url: `${url.protocol}//${host}`, host };
}
