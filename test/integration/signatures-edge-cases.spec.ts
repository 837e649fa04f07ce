import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import {
  attachRegistryExtensions,
  type RegistryExtensions,
} from '../harness/signatures/extension-api';
import { tagManifests } from '../harness/signatures/generated-blobs';
import { createGpgKey, type GpgKey } from '../harness/signatures/gpg';
import { addLookasideSignature } from '../harness/signatures/lookaside';
import { standaloneSign } from '../harness/signatures/sign-with-skopeo';
import { type StaticServer, startStaticServer } from '../harness/signatures/static-server';
import { createSyncRig, type RigSyncOptions, type SyncRig } from '../harness/sync-rig';

type SignatureOptions = NonNullable<RigSyncOptions['signatures']>;

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const byDigest = <T extends { digest: string }>(rows: T[]) =>
  [...rows].sort((a, b) => a.digest.localeCompare(b.digest));
const byReference = <T extends { reference: string }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => a.reference.localeCompare(b.reference));
const aReason = expect.stringMatching(/\S/);
const TWO_PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux' },
];

/**
 * The corners of simple signing the main suites pass by: which signatures count under
 * signed_only (the index's own one optional, the identity checked, a key not configured, a bad
 * one beside a good one), two sources serving one signature, the lookaside's base path, and
 * signatures that change upstream between syncs.
 */
describe('signature syncing edge cases, on postgres', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let lookasideDir: string;
  let lookaside: StaticServer;
  let alice: GpgKey;
  let mallory: GpgKey;
  let rig: SyncRig;
  let extensions: RegistryExtensions | undefined;

  const gpgOptions = (overrides: Partial<SignatureOptions> = {}): SignatureOptions => ({
    lookaside: lookaside.url,
    gpgKeys: [alice.publicKey],
    cosignKeys: [],
    signedOnly: true,
    ...overrides,
  });

  /** Signs exact manifest bytes with standalone-sign and stores the file in the lookaside. */
  const signInto = async (
    repository: string,
    generated: GeneratedRepository,
    digest: string,
    { key = alice, reference = `${registry.host}/${repository}` } = {},
  ): Promise<Buffer> => {
    const file = await standaloneSign(key, generated.manifests.get(digest)!.bytes, reference);
    await addLookasideSignature(lookasideDir, repository, digest, file);
    return file;
  };

  const simpleRow = (file: Buffer, manifest: string, key: GpgKey = alice) => ({
    digest: sha256(file),
    manifest,
    type: 'simple_signing',
    keyId: key.keyId,
  });

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    lookasideDir = await mkdtemp(join(tmpdir(), 'cs-lookaside-'));
    lookaside = await startStaticServer(lookasideDir);
    [alice, mallory] = await Promise.all([
      createGpgKey({ userId: 'alice <alice@example.invalid>' }),
      createGpgKey({ userId: 'mallory <mallory@example.invalid>' }),
    ]);
    rig = await createSyncRig('postgres');
  });

  afterEach(() => {
    extensions?.detach();
    extensions = undefined;
    proxy.reset();
  });

  afterAll(async () => {
    await rig?.close();
    await lookaside?.stop();
    await proxy?.stop();
    await registry?.stop();
    await alice?.cleanup();
    await mallory?.cleanup();
    if (lookasideDir) await rm(lookasideDir, { recursive: true, force: true });
  });

  it('keeps an index whose children are all signed though the index itself is not', async () => {
    const repository = 'edge/children-only';
    const generated = await generateRepository({
      tags: ['multi'],
      seed: 'edge-children-only',
      platforms: TWO_PLATFORMS,
    });
    await pushGenerated(registry.url, repository, generated);
    const [index, ...children] = tagManifests(generated, 'multi');
    const files = await Promise.all(
      children.map((child) => signInto(repository, generated, child)),
    );

    const summary = await rig.sync({
      name: repository,
      registryUrl: proxy.url,
      signatures: gpgOptions(),
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [], signatures: 2 });
    const content = await rig.content(repository);
    expect(content.tags).toEqual({ multi: index });
    expect(Object.keys(content.manifests).sort()).toEqual([index!, ...children].sort());
    expect(content.signatures).toEqual(
      byDigest(files.map((file, i) => simpleRow(file, children[i]!))),
    );
  });

  it('skips a signature for another repository, and one by a key not configured', async () => {
    const repository = 'edge/identity';
    const images = {
      good: await generateRepository({ tags: ['good'], seed: 'edge-identity-good' }),
      elsewhere: await generateRepository({ tags: ['elsewhere'], seed: 'edge-identity-else' }),
      stranger: await generateRepository({ tags: ['stranger'], seed: 'edge-identity-stranger' }),
    };
    for (const generated of Object.values(images)) {
      await pushGenerated(registry.url, repository, generated);
    }
    const good = await signInto(repository, images.good, images.good.tags['good']!);
    await signInto(repository, images.elsewhere, images.elsewhere.tags['elsewhere']!, {
      reference: `${registry.host}/another/repository:elsewhere`,
    });
    await signInto(repository, images.stranger, images.stranger.tags['stranger']!, {
      key: mallory,
    });

    const summary = await rig.sync({
      name: repository,
      registryUrl: proxy.url,
      signatures: gpgOptions({ expectedReference: `${registry.host}/${repository}` }),
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], signatures: 1 });
    expect(byReference(summary.skipped)).toEqual([
      { reference: 'elsewhere', digest: images.elsewhere.tags['elsewhere'], reason: aReason },
      { reference: 'stranger', digest: images.stranger.tags['stranger'], reason: aReason },
    ]);
    const content = await rig.content(repository);
    expect(content.tags).toEqual({ good: images.good.tags['good'] });
    expect(content.signatures).toEqual([simpleRow(good, images.good.tags['good']!)]);
  });

  it('records once a signature both the lookaside and the extension API serve', async () => {
    const repository = 'edge/two-sources';
    const generated = await generateRepository({ tags: ['v1'], seed: 'edge-two-sources' });
    await pushGenerated(registry.url, repository, generated);
    const digest = generated.tags['v1']!;
    const file = await signInto(repository, generated, digest);
    extensions = attachRegistryExtensions(proxy, registry.url, { signatures: true });
    extensions.addSignature(repository, digest, file);

    const summary = await rig.sync({
      name: repository,
      registryUrl: proxy.url,
      signatures: gpgOptions(),
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [], signatures: 1 });
    expect((await rig.content(repository)).signatures).toEqual([simpleRow(file, digest)]);
  });

  it('keeps an image with one valid signature and drops the tampered one beside it', async () => {
    const repository = 'edge/one-bad';
    const generated = await generateRepository({ tags: ['v1'], seed: 'edge-one-bad' });
    await pushGenerated(registry.url, repository, generated);
    const digest = generated.tags['v1']!;
    const manifest = generated.manifests.get(digest)!.bytes;
    const good = await signInto(repository, generated, digest);
    const bad = await standaloneSign(mallory, manifest, `${registry.host}/${repository}`);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    await addLookasideSignature(lookasideDir, repository, digest, bad);

    const summary = await rig.sync({
      name: repository,
      registryUrl: proxy.url,
      signatures: gpgOptions({ gpgKeys: [alice.publicKey, mallory.publicKey] }),
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [], signatures: 1 });
    expect((await rig.content(repository)).signatures).toEqual([simpleRow(good, digest)]);
  });

  it('reads a lookaside under a base path, by the upstream repository name', async () => {
    const upstream = 'edge/upstream-name';
    const generated = await generateRepository({ tags: ['v1'], seed: 'edge-base-path' });
    await pushGenerated(registry.url, upstream, generated);
    const digest = generated.tags['v1']!;
    const reference = `${registry.host}/${upstream}`;
    const file = await standaloneSign(alice, generated.manifests.get(digest)!.bytes, reference);
    await addLookasideSignature(join(lookasideDir, 'prefix', 'sigstore'), upstream, digest, file);

    const summary = await rig.sync({
      name: 'edge/local-name',
      repository: upstream,
      registryUrl: proxy.url,
      signatures: gpgOptions({ lookaside: `${lookaside.url}/prefix/sigstore/` }),
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [], signatures: 1 });
    const content = await rig.content('edge/local-name');
    expect(content.tags).toEqual({ v1: digest });
    expect(content.signatures).toEqual([simpleRow(file, digest)]);
  });

  describe('signatures that change upstream', () => {
    it('syncs under signed_only a tag skipped before, once it has been signed', async () => {
      const repository = 'edge/signed-later';
      const generated = await generateRepository({ tags: ['v1'], seed: 'edge-signed-later' });
      await pushGenerated(registry.url, repository, generated);
      const digest = generated.tags['v1']!;
      const first = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        signatures: gpgOptions(),
      });
      const again = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        signatures: gpgOptions(),
      });
      const file = await signInto(repository, generated, digest);

      const signed = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        signatures: gpgOptions(),
      });

      expect(first.skipped).toEqual([{ reference: 'v1', digest, reason: aReason }]);
      expect(again).toMatchObject({ result: 'success', skipped: first.skipped });
      expect(signed).toMatchObject({ result: 'success', skipped: [], signatures: 1 });
      const content = await rig.content(repository);
      expect(content.version).toBe(signed.version);
      expect(content.tags).toEqual({ v1: digest });
      expect(content.signatures).toEqual([simpleRow(file, digest)]);
    });

    it('records a signature added to a manifest synced before', async () => {
      const repository = 'edge/resigned';
      const generated = await generateRepository({ tags: ['v1'], seed: 'edge-resigned' });
      await pushGenerated(registry.url, repository, generated);
      const digest = generated.tags['v1']!;
      const options = gpgOptions({ gpgKeys: [alice.publicKey, mallory.publicKey] });
      const first = await signInto(repository, generated, digest);
      await rig.sync({ name: repository, registryUrl: proxy.url, signatures: options });
      // By another key: ed25519 signatures are deterministic, so the same key within the same
      // second would make the very same file.
      const second = await signInto(repository, generated, digest, { key: mallory });

      const summary = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        signatures: options,
      });

      expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [] });
      expect((await rig.content(repository)).signatures).toEqual(
        byDigest([simpleRow(first, digest), simpleRow(second, digest, mallory)]),
      );
    });
  });
});
