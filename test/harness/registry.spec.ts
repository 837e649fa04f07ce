import axios from 'axios';
import { existsSync } from 'node:fs';
import { RunningRegistry, startRegistry } from './registry';

const get = (url: string) => axios.get(url, { validateStatus: () => true });

describe('startRegistry', () => {
  const started: RunningRegistry[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((registry) => registry.stop()));
  });

  it('starts docker-registry on a loopback port where GET /v2/ answers 200', async () => {
    const registry = await startRegistry();
    started.push(registry);

    const response = await get(`${registry.url}/v2/`);

    expect(registry.url).toBe(`http://127.0.0.1:${registry.port}`);
    expect(registry.host).toBe(`127.0.0.1:${registry.port}`);
    expect(response.status).toBe(200);
    expect(response.headers['docker-distribution-api-version']).toBe('registry/2.0');
    expect(existsSync(registry.storageDir)).toBe(true);
  });

  it('merges extra config into the generated one', async () => {
    const config = { http: { headers: { 'X-Harness-Check': ['merged'] } } };

    const registry = await startRegistry({ config });
    started.push(registry);
    const response = await get(`${registry.url}/v2/`);

    expect(response.headers['x-harness-check']).toBe('merged');
  });

  it('stop() ends the process, frees the port and removes the temp dir', async () => {
    const registry = await startRegistry();

    await registry.stop();

    await expect(axios.get(`${registry.url}/v2/`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(existsSync(registry.storageDir)).toBe(false);
    expect(existsSync(registry.logFile)).toBe(false);
  });

  it('fails with the log tail when the registry refuses its config', async () => {
    const config = { log: { level: 'nonsense' } };

    const starting = startRegistry({ config });

    await expect(starting).rejects.toThrow(/exited with code 1[\s\S]*invalid loglevel nonsense/);
  });
});
