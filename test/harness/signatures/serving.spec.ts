import axios from 'axios';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaType } from '../../../src/content/media-types';
import { type CountingProxy, startCountingProxy } from '../proxy';
import { type RunningRegistry, startRegistry } from '../registry';
import { attachRegistryExtensions, referrerDescriptor, SUPPORTS_SIGNATURES } from './extension-api';
import { type StaticServer, startStaticServer } from './static-server';

const get = (url: string) =>
  axios.get<Buffer>(url, { validateStatus: () => true, responseType: 'arraybuffer' });
const json = (body: Buffer): unknown => JSON.parse(body.toString('utf8'));

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

describe('startStaticServer', () => {
  let root: string;
  let server: StaticServer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cs-static-'));
    await mkdir(join(root, 'team/app@sha256=ab'), { recursive: true });
    await writeFile(join(root, 'team/app@sha256=ab/signature-1'), Buffer.from([0xa3, 0x01]));
    await writeFile(join(tmpdir(), 'cs-static-outside'), 'secret');
    server = await startStaticServer(root);
  });

  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
    await rm(join(tmpdir(), 'cs-static-outside'), { force: true });
  });

  it('serves files as bytes, 404 for what is missing, and records every request', async () => {
    server.reset();

    const found = await get(`${server.url}/team/app@sha256=ab/signature-1`);
    const encoded = await get(`${server.url}/team/app%40sha256%3Dab/signature-1`);
    const missing = await get(`${server.url}/team/app@sha256=ab/signature-2`);
    const folder = await get(`${server.url}/team/app@sha256=ab`);
    const outside = await get(`${server.url}/..%2Fcs-static-outside`);

    expect([found.status, encoded.status, missing.status, folder.status, outside.status]).toEqual([
      200, 200, 404, 404, 404,
    ]);
    expect(Buffer.from(found.data)).toEqual(Buffer.from([0xa3, 0x01]));
    expect(server.requests).toEqual([
      { method: 'GET', path: '/team/app@sha256=ab/signature-1', status: 200 },
      { method: 'GET', path: '/team/app@sha256=ab/signature-1', status: 200 },
      { method: 'GET', path: '/team/app@sha256=ab/signature-2', status: 404 },
      { method: 'GET', path: '/team/app@sha256=ab', status: 404 },
      { method: 'GET', path: '/../cs-static-outside', status: 404 },
    ]);
  });
});

describe('attachRegistryExtensions', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
  });

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('adds the signature header to the real ping and serves stored signatures', async () => {
    const extensions = attachRegistryExtensions(proxy, registry.url, { signatures: true });
    extensions.addSignature('team/app', DIGEST, Buffer.from('first'));
    extensions.addSignature('team/app', DIGEST, Buffer.from('second'));

    const ping = await get(`${proxy.url}/v2/`);
    const stored = await get(`${proxy.url}/extensions/v2/team/app/signatures/${DIGEST}`);
    const none = await get(`${proxy.url}/extensions/v2/team/app/signatures/${OTHER}`);
    const referrers = await get(`${proxy.url}/v2/team/app/referrers/${DIGEST}`);
    extensions.detach();
    const plainPing = await get(`${proxy.url}/v2/`);

    expect(ping.status).toBe(200);
    expect(ping.headers['docker-distribution-api-version']).toBe('registry/2.0');
    expect(ping.headers[SUPPORTS_SIGNATURES.toLowerCase()]).toBe('1');
    expect(json(stored.data)).toEqual({
      signatures: [
        {
          version: 2,
          type: 'atomic',
          name: `${DIGEST}@a7937b64b8caa58f03721bb6bacf5c78`,
          content: Buffer.from('first').toString('base64'),
        },
        {
          version: 2,
          type: 'atomic',
          name: `${DIGEST}@16367aacb67a4a017c8da8ab95682ccb`,
          content: Buffer.from('second').toString('base64'),
        },
      ],
    });
    expect(json(none.data)).toEqual({ signatures: [] });
    expect(referrers.status).toBe(404);
    expect(plainPing.headers[SUPPORTS_SIGNATURES.toLowerCase()]).toBeUndefined();
    expect(extensions.answered.signatures).toEqual([
      `/extensions/v2/team/app/signatures/${DIGEST}`,
      `/extensions/v2/team/app/signatures/${OTHER}`,
    ]);
  });

  it('serves referrers as an OCI index, filtered by artifactType when asked', async () => {
    const extensions = attachRegistryExtensions(proxy, registry.url, { referrers: true });
    const sbom = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        artifactType: 'application/example.sbom',
        config: { mediaType: MediaType.ociEmpty, digest: OTHER, size: 2 },
        layers: [],
        subject: { mediaType: MediaType.ociManifest, digest: DIGEST, size: 10 },
        annotations: { 'org.example': 'yes' },
      }),
    );
    const descriptor = referrerDescriptor(sbom);
    extensions.addReferrer('team/app', DIGEST, descriptor);

    const all = await get(`${proxy.url}/v2/team/app/referrers/${DIGEST}`);
    const filtered = await get(
      `${proxy.url}/v2/team/app/referrers/${DIGEST}?artifactType=application/other`,
    );
    const ping = await get(`${proxy.url}/v2/`);
    extensions.detach();

    expect(descriptor).toEqual({
      mediaType: MediaType.ociManifest,
      digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
      size: sbom.length,
      artifactType: 'application/example.sbom',
      annotations: { 'org.example': 'yes' },
    });
    expect(all.headers['content-type']).toBe(MediaType.ociIndex);
    expect(json(all.data)).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [descriptor],
    });
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
    expect(json(filtered.data)).toMatchObject({ manifests: [] });
    expect(ping.headers[SUPPORTS_SIGNATURES.toLowerCase()]).toBeUndefined();
    expect(extensions.answered.referrers).toHaveLength(2);
  });
});
