import axios, { type AxiosInstance } from 'axios';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { TestCerts } from './make-certs';

/**
 * Like createRegistryHttp, for pushing to a TLS test registry: trusts the test CA and presents
 * the client certificate (a registry without `clientcas` never asks for it). Destroy the
 * agent with closeHttpsRegistryHttp.
 */
export function createHttpsRegistryHttp(certs: TestCerts): AxiosInstance {
  return axios.create({
    validateStatus: () => true,
    responseType: 'arraybuffer',
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
    maxRedirects: 0,
    httpsAgent: new https.Agent({
      ca: readFileSync(certs.caCert),
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
    }),
  });
}

export function closeHttpsRegistryHttp(http: AxiosInstance): void {
  const agent: unknown = http.defaults.httpsAgent;
  if (agent instanceof https.Agent) agent.destroy();
}
