import { generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { companionTag, pushArtifact } from '../harness/signatures/artifacts';
import { blobGetsOf } from '../harness/signatures/blob-gets';
import {
  buildCosignSignatures,
  createCosignKey,
  type CosignKey,
} from '../harness/signatures/cosign';
import { tagBlobs } from '../harness/signatures/generated-blobs';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

const aReason = expect.stringMatching(/\S/);
const byReference = <T extends { reference: string }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => a.reference.localeCompare(b.reference));

/**
 * Cosign `.sig` manifests made here with keys made here (the shared fixtures' key is not
 * shipped): verified with `cosignKeys` under signed_only, and `.sig` tags whose signed manifest
 * is not synced.
 */
describe('cosign signatures with keys, on postgres', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let rig: SyncRig;
  let signer: CosignKey;
  let other: CosignKey;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    rig = await createSyncRig('postgres');
    [signer, other] = [createCosignKey(), createCosignKey()];
  });

  afterEach(() => proxy.reset());

  afterAll(async () => {
    await rig?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  it('keeps the image whose .sig verifies, with its .sig tag, and skips the other', async () => {
    const repository = 'cosign/gate';
    const images = {
      good: await generateRepository({ tags: ['good'], seed: 'cosign-good' }),
      forged: await generateRepository({ tags: ['forged'], seed: 'cosign-forged' }),
    };
    for (const generated of Object.values(images)) {
      await pushGenerated(registry.url, repository, generated);
    }
    const good = images.good.tags['good']!;
    const forged = images.forged.tags['forged']!;
    const reference = `${registry.host}/${repository}`;
    const goodSig = buildCosignSignatures([
      { key: signer, signedDigest: good, dockerReference: reference },
    ]);
    const forgedSig = buildCosignSignatures([
      { key: other, signedDigest: forged, dockerReference: reference },
    ]);
    await pushArtifact(registry.url, repository, goodSig, companionTag(good, 'sig'));
    await pushArtifact(registry.url, repository, forgedSig, companionTag(forged, 'sig'));

    const summary = await rig.sync({
      name: repository,
      registryUrl: proxy.url,
      signatures: {
        gpgKeys: [],
        cosignKeys: [signer.publicKeyPem],
        expectedReference: reference,
        signedOnly: true,
      },
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], signatures: 1 });
    // The forged image goes, and its .sig tag with it; the good image keeps its .sig tag,
    // which downstream verifiers need: companions follow the manifest they belong to.
    expect(byReference(summary.skipped)).toEqual([
      { reference: 'forged', digest: forged, reason: aReason },
      { reference: companionTag(forged, 'sig'), digest: forgedSig.digest, reason: aReason },
    ]);
    const content = await rig.content(repository);
    expect(content.tags).toEqual({ good, [companionTag(good, 'sig')]: goodSig.digest });
    expect(content.manifests[goodSig.digest]?.kind).toBe('cosign_signature');
    expect(content.signatures).toEqual([
      { digest: goodSig.layers[0], manifest: good, type: 'cosign', keyId: null },
    ]);
    const forgedBlobs = tagBlobs(images.forged, 'forged');
    expect(blobGetsOf(proxy, forgedBlobs)).toEqual(
      Object.fromEntries(forgedBlobs.map((digest) => [digest, 0])),
    );
  });

  it('syncs a .sig tag whose signed manifest the repository does not have', async () => {
    const repository = 'cosign/orphan';
    const generated = await generateRepository({ tags: ['app'], seed: 'cosign-orphan' });
    await pushGenerated(registry.url, repository, generated);
    const absent = `sha256:${'0f'.repeat(32)}`;
    const orphan = buildCosignSignatures([
      { key: signer, signedDigest: absent, dockerReference: `${registry.host}/${repository}` },
    ]);
    await pushArtifact(registry.url, repository, orphan, companionTag(absent, 'sig'));

    const summary = await rig.sync({ name: repository, registryUrl: proxy.url });

    expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [] });
    const content = await rig.content(repository);
    expect(content.tags).toEqual({
      app: generated.tags['app'],
      [companionTag(absent, 'sig')]: orphan.digest,
    });
    expect(content.signatures).toEqual([]);
  });

  it('gives a repository the signatures of a manifest and .sig another repository synced first', async () => {
    const generated = await generateRepository({ tags: ['app'], seed: 'cosign-shared' });
    const app = generated.tags['app']!;
    const sig = buildCosignSignatures([
      { key: signer, signedDigest: app, dockerReference: `${registry.host}/cosign/shared` },
    ]);
    for (const repository of ['cosign/first', 'cosign/second']) {
      await pushGenerated(registry.url, repository, generated);
      await pushArtifact(registry.url, repository, sig, companionTag(app, 'sig'));
    }

    await rig.sync({ name: 'cosign/first', registryUrl: proxy.url });
    proxy.reset();
    const summary = await rig.sync({ name: 'cosign/second', registryUrl: proxy.url });

    // Before the fix the second repository asked only the cheap sources about the manifest the
    // catalog had, and its version went without the signature.
    expect(summary).toMatchObject({ result: 'success', failed: [], signatures: 1, blobs: 0 });
    const content = await rig.content('cosign/second');
    expect(content.tags).toEqual({ app, [companionTag(app, 'sig')]: sig.digest });
    expect(content.signatures).toEqual([
      { digest: sig.layers[0], manifest: app, type: 'cosign', keyId: null },
    ]);
  });

  it('records no signature for a manifest filtered out, though its .sig tag passes', async () => {
    const repository = 'cosign/filtered';
    const generated = await generateRepository({ tags: ['app', 'other'], seed: 'cosign-filtered' });
    await pushGenerated(registry.url, repository, generated);
    const [app, other] = [generated.tags['app']!, generated.tags['other']!];
    const reference = `${registry.host}/${repository}`;
    const appSig = buildCosignSignatures([
      { key: signer, signedDigest: app, dockerReference: reference },
    ]);
    const otherSig = buildCosignSignatures([
      { key: signer, signedDigest: other, dockerReference: reference },
    ]);
    await pushArtifact(registry.url, repository, appSig, companionTag(app, 'sig'));
    await pushArtifact(registry.url, repository, otherSig, companionTag(other, 'sig'));

    const summary = await rig.sync({
      name: repository,
      registryUrl: proxy.url,
      pipeline: { tagFilter: (tag) => tag !== 'other' },
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [] });
    const content = await rig.content(repository);
    expect(content.tags).toEqual({
      app,
      [companionTag(app, 'sig')]: appSig.digest,
      [companionTag(other, 'sig')]: otherSig.digest,
    });
    expect(content.manifests[other]).toBeUndefined();
    expect(content.signatures).toEqual([
      { digest: appSig.layers[0], manifest: app, type: 'cosign', keyId: null },
    ]);
  });
});
