import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findFreePort } from '../free-port';
import { killOnExit } from '../kill-on-exit';
import { readLogTail } from '../read-log-tail';
import { buildRegistryConfig } from '../registry-config';
import type { RunningRegistry } from '../registry';
import { stopProcess } from '../stop-process';
import type { TestCerts } from './make-certs';

const POLL_INTERVAL_MS = 50;

/**
 * docker-registry serving HTTPS with the test server certificate; with `requireClientCert` it
 * also refuses any client without a certificate from the test CA. startRegistry cannot be
 * used here: it waits for a plain-HTTP `GET /v2/`, which a TLS listener answers with 400.
 */
export async function startTlsRegistry(
  certs: TestCerts,
  options: { requireClientCert?: boolean } = {},
): Promise<RunningRegistry> {
  const workDir = await mkdtemp(join(tmpdir(), 'container-sync-tls-registry-'));
  const storageDir = join(workDir, 'storage');
  const logFile = join(workDir, 'registry.log');
  const configFile = join(workDir, 'config.yml');
  const port = await findFreePort();
  const tls = {
    certificate: certs.serverCert,
    key: certs.serverKey,
    ...(options.requireClientCert ? { clientcas: [certs.caCert] } : {}),
  };
  await mkdir(storageDir);
  await writeFile(configFile, stringify(buildRegistryConfig(port, storageDir, { http: { tls } })));

  const logFd = openSync(logFile, 'a');
  const child = spawn('/usr/bin/docker-registry', ['serve', configFile], {
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  child.unref();
  const unregister = killOnExit(child);
  const stop = async () => {
    await stopProcess(child, 5000);
    unregister();
    await rm(workDir, { recursive: true, force: true });
  };

  const url = `https://127.0.0.1:${port}`;
  try {
    await waitForHttps(`${url}/v2/`, certs, () => child.exitCode !== null);
  } catch (err) {
    const tail = await readLogTail(logFile);
    await stop();
    throw new Error(`${(err as Error).message}\n--- registry log (tail) ---\n${tail}`);
  }
  return { url, host: `127.0.0.1:${port}`, port, storageDir, logFile, configFile, stop };
}

/** Polls until `GET url` answers 200 over verified TLS, presenting the client certificate. */
async function waitForHttps(url: string, certs: TestCerts, exited: () => boolean) {
  const agentOptions = {
    ca: await readFile(certs.caCert),
    cert: await readFile(certs.clientCert),
    key: await readFile(certs.clientKey),
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await probe(url, agentOptions)) === 200) return;
    if (exited()) throw new Error(`docker-registry exited before ${url} answered`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`${url} did not answer 200 within 15 s`);
}

function probe(url: string, tls: https.RequestOptions): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = https.get(url, { ...tls, agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}
