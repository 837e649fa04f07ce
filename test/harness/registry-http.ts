import axios, { AxiosInstance, AxiosResponse } from 'axios';
import { Agent } from 'node:http';

/**
 * An axios instance for talking to a test registry: every status resolves (callers check the
 * ones they expect, with the registry's error body in the message), bodies come back as raw
 * bytes (a manifest's digest is over its exact bytes), and no size limits apply.
 */
export function createRegistryHttp(options: { keepAlive?: boolean } = {}): AxiosInstance {
  return axios.create({
    validateStatus: () => true,
    responseType: 'arraybuffer',
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
    maxRedirects: 0,
    httpAgent: new Agent({ keepAlive: options.keepAlive ?? false }),
  });
}

/** Lets a caller pass its own (keep-alive) client to a helper; each helper has a default. */
export interface WithHttp {
  http?: AxiosInstance;
}

/** Releases the sockets a keep-alive instance holds, so jest sees no open handles. */
export function closeRegistryHttp(http: AxiosInstance): void {
  const agent: unknown = http.defaults.httpAgent;
  if (agent instanceof Agent) agent.destroy();
}

/** Throws unless the registry answered one of `expected`, naming the request and its answer. */
export function expectStatus(response: AxiosResponse, expected: number[], action: string): void {
  if (expected.includes(response.status)) return;
  const body = Buffer.isBuffer(response.data) ? response.data.toString('utf8') : '';
  const method = response.config.method?.toUpperCase() ?? '?';
  throw new Error(
    `${action}: ${method} ${response.config.url} answered ${response.status}, ` +
      `expected ${expected.join(' or ')}: ${body.slice(0, 500)}`,
  );
}
