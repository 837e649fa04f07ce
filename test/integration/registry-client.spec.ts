import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { sha256Digest, type Digest } from '../../src/content/digest';
import { MediaType } from '../../src/content/media-types';
import { parseManifest } from '../../src/content/parse-manifest';
import { RegistryClient } from '../../src/registry/registry-client';
import { BlobStore } from '../../src/storage/blob-store';
import {
  SHARED_FIXTURES,
  describeWithFixtures,
  loadExpected,
  pushFixture,
} from '../harness/fixtures';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { pushGenerated } from '../harness/push';
import { pushSkopeoDir } from '../harness/push-skopeo-dir';
import { type RunningRegistry, startRegistry } from '../harness/registry';

const REPO = 'team/app';

let registry: RunningRegistry;
let storeRoot: string;
const clients: RegistryClient[] = [];

function clientFor(repository: string): RegistryClient {
  const client = new RegistryClient({ registryUrl: registry.url, repository });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  registry = await startRegistry();
  storeRoot = await mkdtemp(join(tmpdir(), 'registry-client-store-'));
});

afterAll(async () => {
  clients.forEach((client) => client.close());
  await registry?.stop();
  await rm(storeRoot, { recursive: true, force: true });
});

describe('RegistryClient against docker-registry', () => {
  let generated: GeneratedRepository;
  let client: RegistryClient;

  beforeAll(async () => {
    generated = await generateRepository({
      tags: ['v1', 'v2'],
      seed: 'registry-client-spec',
      platforms: [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux', variant: 'v8' },
      ],
    });
    await pushGenerated(registry.url, REPO, generated);
    client = clientFor(REPO);
  });

  it('pings the registry', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('lists the pushed tags', async () => {
    const tags = await lastValueFrom(client.listTags().pipe(toArray()));

    expect(tags.sort()).toEqual(['v1', 'v2']);
  });

  it('reads the pushed digest and type from a HEAD', async () => {
    const head = await client.headManifest('v1');

    expect(head).toEqual({
      digest: generated.tags.v1,
      mediaType: MediaType.ociIndex,
      size: generated.manifests.get(generated.tags.v1!)!.bytes.length,
    });
  });

  it('gets a manifest by tag, verified, that parses into its children', async () => {
    const fetched = await client.getManifest('v2', generated.tags.v2 as Digest);
    const parsed = parseManifest(fetched.bytes, fetched);

    expect(fetched.digest).toBe(generated.tags.v2);
    expect(fetched.contentType).toBe(MediaType.ociIndex);
    expect(parsed.manifests.map((m) => m.digest)).toEqual(generated.children.v2);
    expect(parsed.manifests.map((m) => m.platform?.architecture)).toEqual(['amd64', 'arm64']);
  });

  it('gets a child manifest by digest', async () => {
    const child = generated.children.v1![0] as Digest;

    const fetched = await client.getManifest(child, child);

    expect(fetched.bytes).toEqual(generated.manifests.get(child)!.bytes);
  });

  it('refuses a manifest by digest whose expected digest is another', async () => {
    const child = generated.children.v1![0] as Digest;
    const wrong = generated.children.v1![1] as Digest;

    await expect(client.getManifest(child, wrong)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      data: { repository: REPO, reference: child, expected: wrong, actual: child },
    });
  });

  it('tells a missing tag from an error', async () => {
    await expect(client.headManifest('nope')).resolves.toBeUndefined();
    await expect(client.getManifest('nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      data: { repository: REPO, reference: 'nope', status: 404 },
    });
  });

  it('streams every blob into the store, each file hashing to its digest', async () => {
    const store = new BlobStore(storeRoot);

    for (const [digest, bytes] of generated.blobs) {
      const written = await store.write(
        digest,
        await client.fetchBlob(digest as Digest),
        bytes.length,
      );

      expect(written.size).toBe(bytes.length);
      const onDisk = await readFile(store.pathOf(digest));
      expect(`sha256:${createHash('sha256').update(onDisk).digest('hex')}`).toBe(digest);
    }
  });

  it('reports a blob the registry lacks as NOT_FOUND', async () => {
    await expect(client.fetchBlob(sha256Digest('never pushed'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      data: { status: 404, repository: REPO },
    });
  });

  it('reports a repository that does not exist as NOT_FOUND', async () => {
    await expect(
      lastValueFrom(clientFor('no/such').listTags().pipe(toArray())),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('counts its requests by kind', () => {
    expect(client.requests.ping).toBe(1);
    expect(client.requests.tags).toBe(1);
    expect(client.requests.manifestHead).toBeGreaterThanOrEqual(2);
    expect(client.requests.blobGet).toBe(generated.blobs.size + 1);
  });
});

describeWithFixtures('RegistryClient and schema 1 (re-signed on every GET)', () => {
  const dir = join(SHARED_FIXTURES, 'dirs', 'skopeo-schema1-signed');
  const expectedDigest = 'sha256:3b93a98785ed46f9fa9fefd53127c3fa91e1d0314f90c00d8fb9b8d7448ec1ad';
  let client: RegistryClient;

  beforeAll(async () => {
    await pushSkopeoDir(registry.url, 'schema1', dir, 'latest');
    client = clientFor('schema1');
  });

  it('reports the payload digest on HEAD', async () => {
    await expect(client.headManifest('latest')).resolves.toMatchObject({
      digest: expectedDigest,
      mediaType: MediaType.dockerSchema1Signed,
    });
  });

  it('verifies freshly signed bytes by tag and by digest', async () => {
    const byTag = await client.getManifest('latest');
    const byDigest = await client.getManifest(expectedDigest, expectedDigest);
    const pushed = await readFile(join(dir, 'manifest.json'));

    expect(byTag.digest).toBe(expectedDigest);
    expect(byDigest.digest).toBe(expectedDigest);
    // The registry signs again on each GET: new bytes, same payload digest.
    expect(byTag.bytes.equals(pushed)).toBe(false);
    expect(byTag.bytes.equals(byDigest.bytes)).toBe(false);
  });

  it('parses as a signed schema 1 image whose layer downloads', async () => {
    const fetched = await client.getManifest('latest', expectedDigest);
    const parsed = parseManifest(fetched.bytes, fetched);
    const layer = parsed.layers[0]!.digest;
    const store = new BlobStore(storeRoot);

    expect(parsed).toMatchObject({ mediaType: MediaType.dockerSchema1Signed, kind: 'image' });
    expect(parsed.layers.map((l) => l.digest)).toEqual(loadExpected('schema1').blobs);
    await store.write(layer, await client.fetchBlob(layer));
    expect(await store.has(layer)).toBe(true);
  });
});

describeWithFixtures('RegistryClient on every tag of the pushed fixture repositories', () => {
  it.each(['testrepo', 'docker-list', 'schema2'] as const)(
    '%s: HEAD and GET agree with what the registry recorded',
    async (repository) => {
      const expected = await pushFixture(registry.url, repository);
      const client = clientFor(repository);

      const tags = await lastValueFrom(client.listTags().pipe(toArray()));
      expect(tags.sort()).toEqual(Object.keys(expected.tags).sort());
      for (const [tag, digest] of Object.entries(expected.tags)) {
        const head = await client.headManifest(tag);
        const fetched = await client.getManifest(tag, head?.digest);
        const parsed = parseManifest(fetched.bytes, fetched);

        expect(head?.digest).toBe(digest);
        expect(fetched.digest).toBe(digest);
        expect(parsed.mediaType).toBe(expected.manifests[digest]?.media_type);
      }
    },
  );
});
