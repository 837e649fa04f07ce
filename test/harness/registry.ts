import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigTree } from './deep-merge';
import { findFreePort } from './free-port';
import { killOnExit } from './kill-on-exit';
import { readLogTail } from './read-log-tail';
import { buildRegistryConfig } from './registry-config';
import { stopProcess } from './stop-process';
import { waitForHttpOk } from './wait-for-http-ok';

const REGISTRY_BINARY = '/usr/bin/docker-registry';
const SHARED_MEMORY = '/dev/shm';

/** A free port can be taken by someone else before the registry binds it; try a few. */
const PORT_ATTEMPTS = 3;

export interface RegistryOptions {
  /** Merged into the generated config (an `auth:` section, `http.headers`); arrays replace. */
  config?: ConfigTree;
  /** Bound on waiting for `GET /v2/` to answer 200. */
  startTimeoutMs?: number;
  /** How long SIGTERM, then SIGKILL, may take each. */
  stopGraceMs?: number;
  /** Where the temp dir (storage, config, log) is made; see defaultTempRoot. */
  tempRoot?: string;
}

export interface RunningRegistry {
  url: string;
  host: string;
  port: number;
  /** The registry's filesystem storage root, inside the temp dir that `stop()` removes. */
  storageDir: string;
  logFile: string;
  configFile: string;
  stop(): Promise<void>;
}

class PortTakenError extends Error {}

/**
 * The registry's filesystem driver fsyncs every file it writes (strace counts 11 fsyncs for one
 * blob upload), so on disk each upload request and manifest PUT costs about 10 ms. On tmpfs the
 * fsync is free and pushes measured about twice as fast. Falls back to the OS temp dir where
 * there is no writable /dev/shm.
 */
function defaultTempRoot(): string {
  try {
    accessSync(SHARED_MEMORY, constants.W_OK);
    return SHARED_MEMORY;
  } catch {
    return tmpdir();
  }
}

function spawnRegistry(configFile: string, logFile: string): ChildProcess {
  // The registry logs to stderr only; an fd for the file is handed to the child and closed here.
  const logFd = openSync(logFile, 'a');
  try {
    const child = spawn(REGISTRY_BINARY, ['serve', configFile], {
      stdio: ['ignore', logFd, logFd],
    });
    // Unref'd so a test that forgets stop() does not hold the jest worker open; killOnExit
    // still ends the child when the worker goes.
    child.unref();
    return child;
  } finally {
    closeSync(logFd);
  }
}

async function launch(workDir: string, port: number, options: RegistryOptions) {
  const storageDir = join(workDir, 'storage');
  const logFile = join(workDir, 'registry.log');
  const configFile = join(workDir, 'config.yml');
  const url = `http://127.0.0.1:${port}`;
  await mkdir(storageDir, { recursive: true });
  await writeFile(configFile, stringify(buildRegistryConfig(port, storageDir, options.config)));

  const child = spawnRegistry(configFile, logFile);
  const unregister = killOnExit(child);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const graceMs = options.stopGraceMs ?? 5000;

  try {
    await waitForHttpOk(`${url}/v2/`, {
      timeoutMs: options.startTimeoutMs ?? 15000,
      abortReason: () => {
        if (spawnError) return `spawn failed: ${spawnError.message}`;
        if (child.exitCode !== null) return `exited with code ${child.exitCode}`;
        if (child.signalCode !== null) return `killed by ${child.signalCode}`;
        return undefined;
      },
    });
  } catch (err) {
    await stopProcess(child, graceMs);
    unregister();
    const tail = await readLogTail(logFile);
    const message =
      `docker-registry did not start on ${url}: ${(err as Error).message}\n` +
      `--- ${logFile} (tail) ---\n${tail}`;
    if (tail.includes('address already in use')) throw new PortTakenError(message, { cause: err });
    throw new Error(message, { cause: err });
  }

  const stop = async () => {
    await stopProcess(child, graceMs);
    unregister();
    await rm(workDir, { recursive: true, force: true });
  };
  return { url, host: `127.0.0.1:${port}`, port, storageDir, logFile, configFile, stop };
}

/**
 * Starts the real `docker-registry serve` on a free loopback port, with fresh storage in a temp
 * dir and its log in a file there. Resolves once `GET /v2/` answers 200.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const workDir = await mkdtemp(
    join(options.tempRoot ?? defaultTempRoot(), 'container-sync-registry-'),
  );
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(workDir, await findFreePort(), options);
      } catch (err) {
        if (!(err instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw err;
        await rm(join(workDir, 'registry.log'), { force: true });
      }
    }
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
}
