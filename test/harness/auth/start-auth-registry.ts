import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ConfigTree } from '../deep-merge';
import { findFreePort } from '../free-port';
import { killOnExit } from '../kill-on-exit';
import { readLogTail } from '../read-log-tail';
import { buildRegistryConfig } from '../registry-config';
import type { RunningRegistry } from '../registry';
import { stopProcess } from '../stop-process';

const REGISTRY_BINARY = '/usr/bin/docker-registry';
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

/**
 * Starts docker-registry with an `auth:` section. startRegistry waits for `GET /v2/` to answer
 * 200, which a registry that wants credentials never does; this one waits for the 401 that
 * says the registry is up and asking. Everything else (config, storage, log) is as there.
 */
export async function startAuthRegistry(auth: ConfigTree): Promise<RunningRegistry> {
  const workDir = await mkdtemp(join(tmpdir(), 'container-sync-auth-registry-'));
  const storageDir = join(workDir, 'storage');
  const logFile = join(workDir, 'registry.log');
  const configFile = join(workDir, 'config.yml');
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  await mkdir(storageDir, { recursive: true });
  await writeFile(configFile, stringify(buildRegistryConfig(port, storageDir, { auth })));

  const logFd = openSync(logFile, 'a');
  const child = spawn(REGISTRY_BINARY, ['serve', configFile], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.unref();
  const unregister = killOnExit(child);
  const stop = async () => {
    await stopProcess(child, STOP_GRACE_MS);
    unregister();
    await rm(workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while ((await probe(`${url}/v2/`)) !== 401) {
    if (Date.now() > deadline || child.exitCode !== null) {
      const tail = await readLogTail(logFile);
      await stop();
      throw new Error(`docker-registry with auth did not start on ${url}\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, host: `127.0.0.1:${port}`, port, storageDir, logFile, configFile, stop };
}

function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}
