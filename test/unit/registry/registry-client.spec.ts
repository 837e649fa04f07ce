import { lastValueFrom, toArray } from 'rxjs';
import { type Digest, sha256Digest } from '../../../src/content/digest';
import { MANIFEST_ACCEPT, MediaType } from '../../../src/content/media-types';
import { RegistryClient } from '../../../src/registry/registry-client';
import { type FakeServer, sendJson, startFakeServer } from './fake-server';

const REPO = 'team/app';
const manifest = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }),
);
const manifestDigest = sha256Digest(manifest);
const BASIC = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;

let server: FakeServer;
let route: (url: string, res: import('node:http').ServerResponse, method: string) => void;
const clients: RegistryClient[] = [];

function client(options: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) {
  const made = new RegistryClient({ registryUrl: server.url, repository: REPO, ...options });
  clients.push(made);
  return made;
}

beforeEach(async () => {
  server = await startFakeServer((req, res) => route(req.url ?? '', res, req.method ?? ''));
});

afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

describe('RegistryClient.ping', () => {
  it('resolves on 200 and sends credentials when given', async () => {
    route = (_, res) => sendJson(res, 200, {});

    await client({ credentials: { username: 'alice', password: 's3cret' } }).ping();

    expect(server.seen[0]).toMatchObject({ method: 'GET', url: '/v2/' });
    expect(server.seen[0]?.headers.authorization).toBe(BASIC);
  });

  it('fails with AUTH_FAILED on 401 without credentials', async () => {
    route = (_, res) => sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });

    await expect(client().ping()).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      data: { registry: new URL(server.url).host, repository: REPO, status: 401 },
    });
  });

  it('fails with AUTH_FAILED when the credentials are refused', async () => {
    route = (_, res) => sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'no' }] });

    const ping = client({ credentials: { username: 'alice', password: 'wrong' } }).ping();

    await expect(ping).rejects.toMatchObject({ code: 'AUTH_FAILED', message: /UNAUTHORIZED no/ });
  });

  it('fails with REGISTRY_UNREACHABLE when nothing listens', async () => {
    const url = server.url;
    await server.close();

    const ping = new RegistryClient({ registryUrl: url, repository: REPO }).ping();

    await expect(ping).rejects.toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      data: { url: `${url}/v2/`, repository: REPO },
    });
    server = await startFakeServer(() => undefined);
  });

  it('refuses a registry URL carrying credentials or a bad repository name', () => {
    expect(() => client({ registryUrl: 'http://u:p@host' })).toThrow(/credentials/);
    expect(() => client({ repository: '../etc' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('RegistryClient.listTags', () => {
  it('follows relative and absolute Links to the last page, queries kept', async () => {
    route = (url, res) => {
      if (url === `/v2/${REPO}/tags/list`) {
        return sendJson(
          res,
          200,
          { name: REPO, tags: ['a', 'b'] },
          {
            Link: `</v2/${REPO}/tags/list?last=b&opaque=x%2Fy>; rel="next"`,
          },
        );
      }
      if (url === `/v2/${REPO}/tags/list?last=b&opaque=x%2Fy`) {
        return sendJson(
          res,
          200,
          { name: REPO, tags: ['c'] },
          {
            Link: `<${server.url}/v2/${REPO}/tags/list?last=c>; rel="next"`,
          },
        );
      }
      sendJson(res, 200, { name: REPO, tags: ['d'] });
    };
    const registry = client();

    const tags = await lastValueFrom(registry.listTags().pipe(toArray()));

    expect(tags).toEqual(['a', 'b', 'c', 'd']);
    expect(server.seen.map((r) => r.url)).toEqual([
      `/v2/${REPO}/tags/list`,
      `/v2/${REPO}/tags/list?last=b&opaque=x%2Fy`,
      `/v2/${REPO}/tags/list?last=c`,
    ]);
    expect(registry.requests.tags).toBe(3);
  });

  it('asks for JSON, not for manifests', async () => {
    route = (_, res) => sendJson(res, 200, { name: REPO, tags: [] });

    await lastValueFrom(client().listTags().pipe(toArray()));

    expect(server.seen[0]?.headers.accept).toBe('application/json');
  });

  it('reads "tags": null as no tags', async () => {
    route = (_, res) => sendJson(res, 200, { name: REPO, tags: null });

    await expect(lastValueFrom(client().listTags().pipe(toArray()))).resolves.toEqual([]);
  });

  it('refuses a Link to another origin with LINK_REFUSED', async () => {
    route = (_, res) =>
      sendJson(res, 200, { tags: ['a'] }, { Link: '<http://127.0.0.2:1/v2/x>; rel="next"' });

    await expect(lastValueFrom(client().listTags().pipe(toArray()))).rejects.toMatchObject({
      code: 'LINK_REFUSED',
    });
  });

  it('stops a Link that loops back with REGISTRY_ERROR', async () => {
    route = (url, res) => sendJson(res, 200, { tags: ['a'] }, { Link: `<${url}>; rel="next"` });

    await expect(lastValueFrom(client().listTags().pipe(toArray()))).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
    });
  });

  it('reports a missing repository as NOT_FOUND', async () => {
    route = (_, res) => sendJson(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });

    await expect(lastValueFrom(client().listTags().pipe(toArray()))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: /NAME_UNKNOWN/,
      data: { repository: REPO, status: 404 },
    });
  });
});

describe('RegistryClient.headManifest', () => {
  it('reads digest, bare media type and size, sending every manifest type in Accept', async () => {
    route = (_, res) => {
      res.writeHead(200, {
        'Docker-Content-Digest': manifestDigest,
        'Content-Type': `${MediaType.ociIndex}; charset=utf-8`,
        'Content-Length': String(manifest.length),
      });
      res.end();
    };
    const registry = client();

    const head = await registry.headManifest('v1');

    expect(head).toEqual({
      digest: manifestDigest,
      mediaType: MediaType.ociIndex,
      size: manifest.length,
    });
    expect(server.seen[0]).toMatchObject({ method: 'HEAD', url: `/v2/${REPO}/manifests/v1` });
    const accepted = String(server.seen[0]?.headers.accept).split(', ');
    expect(accepted).toEqual(MANIFEST_ACCEPT);
    expect(registry.requests.manifestHead).toBe(1);
  });

  it('gives undefined for a reference that does not exist', async () => {
    route = (_, res) => sendJson(res, 404, {});

    await expect(client().headManifest('gone')).resolves.toBeUndefined();
  });

  it('drops a Docker-Content-Digest that is not a digest', async () => {
    route = (_, res) => {
      res.writeHead(200, { 'Docker-Content-Digest': 'sha256:../../etc' });
      res.end();
    };

    await expect(client().headManifest('v1')).resolves.toMatchObject({ digest: undefined });
  });

  it('refuses a reference that is neither a tag nor a digest', async () => {
    await expect(client().headManifest('../../v2/_catalog')).rejects.toMatchObject({
      code: 'REFERENCE_INVALID',
    });
    expect(server.seen).toHaveLength(0);
  });

  it.each(['a/b', '../x', '.hidden', 'x'.repeat(129)])(
    'refuses the tag %j before any request, REFERENCE_INVALID',
    async (tag) => {
      await expect(client().headManifest(tag)).rejects.toMatchObject({
        code: 'REFERENCE_INVALID',
        data: { repository: REPO, reference: tag.slice(0, 200) },
      });
      expect(server.seen).toHaveLength(0);
    },
  );

  it.each([
    'sha256:../../../etc/passwd',
    `sha256:${'AB'.repeat(32)}`,
    `sha256:${'ab'.repeat(32)}/../x`,
  ])('refuses the digest %j before any request, DIGEST_INVALID', async (digest) => {
    const upstream = client();

    await expect(upstream.headManifest(digest)).rejects.toMatchObject({
      code: 'DIGEST_INVALID',
      data: { repository: REPO, reference: digest, digest },
    });
    await expect(upstream.getManifest(digest)).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    await expect(upstream.fetchBlob(digest as Digest)).rejects.toMatchObject({
      code: 'DIGEST_INVALID',
    });
    expect(() => upstream.blobUrl(digest as Digest)).toThrow(
      expect.objectContaining({ code: 'DIGEST_INVALID' }),
    );
    expect(server.seen).toHaveLength(0);
  });
});

describe('RegistryClient.getManifest', () => {
  const serve = (body: Buffer, headers: Record<string, string> = {}) => {
    route = (_, res) => {
      res.writeHead(200, { 'Content-Type': MediaType.ociIndex, ...headers });
      res.end(body);
    };
  };

  it('returns bytes, digest and content type after checking the reported digest', async () => {
    serve(manifest, { 'Docker-Content-Digest': manifestDigest });

    const fetched = await client().getManifest('v1');

    expect(fetched).toEqual({
      digest: manifestDigest,
      bytes: manifest,
      contentType: MediaType.ociIndex,
    });
  });

  it('fails with DIGEST_MISMATCH naming repository, reference, expected and actual', async () => {
    const wrong = sha256Digest('another manifest');
    serve(manifest, { 'Docker-Content-Digest': wrong });

    await expect(client().getManifest('v1')).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      data: {
        repository: REPO,
        reference: 'v1',
        expected: wrong,
        actual: manifestDigest,
        url: `${server.url}/v2/${REPO}/manifests/v1`,
        status: 200,
      },
    });
  });

  it('checks the bytes of a manifest fetched by digest against that digest', async () => {
    serve(manifest);
    const wrong = sha256Digest('x');

    await expect(client().getManifest(manifestDigest)).resolves.toMatchObject({
      digest: manifestDigest,
    });
    await expect(client().getManifest(wrong)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(client().getManifest(manifestDigest, wrong)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
  });

  it.each([
    ['announced by Content-Length', true],
    ['sent without a length', false],
  ])('refuses a body over 4 MiB %s with MANIFEST_TOO_LARGE', async (_, announced) => {
    const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    route = (_url, res) => {
      res.writeHead(200, announced ? { 'Content-Length': String(huge.length) } : {});
      res.end(huge);
    };

    await expect(client().getManifest('v1')).rejects.toMatchObject({
      code: 'MANIFEST_TOO_LARGE',
      message: 'manifest is over 4194304 bytes',
      data: { reference: 'v1', repository: REPO },
    });
  });

  it('reports a missing manifest as NOT_FOUND with the reference', async () => {
    route = (_, res) => sendJson(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });

    await expect(client().getManifest('v9')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      data: { reference: 'v9', status: 404 },
    });
  });
});
