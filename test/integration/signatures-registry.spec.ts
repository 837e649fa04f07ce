import { createHash } from 'node:crypto';
import { MediaType } from '../../src/content/media-types';
import { expectCatalogMatches } from '../harness/expect-catalog';
import { describeWithFixtures, pushFixture } from '../harness/fixtures';
import { generateRepository } from '../harness/image-generator';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { buildArtifact, companionTag, pushArtifact } from '../harness/signatures/artifacts';
import { blobGetsOf } from '../harness/signatures/blob-gets';
import { expectedForTags } from '../harness/signatures/expected-subset';
import {
  attachRegistryExtensions,
  referrerDescriptor,
  type RegistryExtensions,
} from '../harness/signatures/extension-api';
import { tagBlobs } from '../harness/signatures/generated-blobs';
import { createGpgKey, type GpgKey } from '../harness/signatures/gpg';
import { standaloneSign } from '../harness/signatures/sign-with-skopeo';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const byDigest = <T extends { digest: string }>(rows: T[]) =>
  [...rows].sort((a, b) => a.digest.localeCompare(b.digest));
const aReason = expect.stringMatching(/\S/);
const SIG_TAG = /^sha256-([a-f0-9]{64})\.sig$/;

/**
 * Signatures and companions the registry itself holds: the signature extension API and the
 * referrers API (answered by the harness in front of docker-registry, which has neither), the
 * referrers fallback tags, and cosign's `.sig`, `.att` and `.sbom` tags.
 */
describe('signatures held by the registry, on postgres', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let extensions: RegistryExtensions | undefined;
  let rig: SyncRig;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    rig = await createSyncRig('postgres');
  });

  afterEach(() => {
    extensions?.detach();
    extensions = undefined;
    proxy.reset();
  });

  afterAll(async () => {
    await rig?.close();
    await proxy?.stop();
    await registry?.stop();
  });

  describe('the registry signature extension API', () => {
    let alice: GpgKey;
    let bob: GpgKey;

    beforeAll(async () => {
      [alice, bob] = await Promise.all([
        createGpgKey({ userId: 'alice <alice@example.invalid>' }),
        createGpgKey({ userId: 'bob <bob@example.invalid>' }),
      ]);
    });

    afterAll(async () => {
      await alice?.cleanup();
      await bob?.cleanup();
    });

    it('is used when the ping says so, and its signatures gate signed_only', async () => {
      const repository = 'extension/app';
      const signed = await generateRepository({ tags: ['signed'], seed: 'ext-signed' });
      const unsigned = await generateRepository({ tags: ['unsigned'], seed: 'ext-unsigned' });
      await pushGenerated(registry.url, repository, signed);
      await pushGenerated(registry.url, repository, unsigned);
      const digest = signed.tags['signed']!;
      const manifest = signed.manifests.get(digest)!.bytes;
      const reference = `${registry.host}/${repository}:signed`;
      const byAlice = await standaloneSign(alice, manifest, reference);
      const byBob = await standaloneSign(bob, manifest, reference);
      extensions = attachRegistryExtensions(proxy, registry.url, { signatures: true });
      extensions.addSignature(repository, digest, byAlice);
      extensions.addSignature(repository, digest, byBob);

      const summary = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        signatures: {
          gpgKeys: [alice.publicKey, bob.publicKey],
          cosignKeys: [],
          signedOnly: true,
        },
      });

      expect(summary).toMatchObject({ result: 'success', failed: [], signatures: 2 });
      expect(summary.skipped).toEqual([
        { reference: 'unsigned', digest: unsigned.tags['unsigned'], reason: aReason },
      ]);
      const content = await rig.content(repository);
      expect(content.tags).toEqual({ signed: digest });
      expect(content.signatures).toEqual(
        byDigest([
          { digest: sha256(byAlice), manifest: digest, type: 'simple_signing', keyId: alice.keyId },
          { digest: sha256(byBob), manifest: digest, type: 'simple_signing', keyId: bob.keyId },
        ]),
      );
      expect(proxy.counts().ping).toBe(1);
      expect(extensions.answered.signatures).toContain(
        `/extensions/v2/${repository}/signatures/${digest}`,
      );
      const skippedBlobs = tagBlobs(unsigned, 'unsigned');
      expect(blobGetsOf(proxy, skippedBlobs)).toEqual(
        Object.fromEntries(skippedBlobs.map((digest) => [digest, 0])),
      );
    });

    it('is not asked for when the ping does not offer it', async () => {
      const repository = 'extension/plain';
      const generated = await generateRepository({ tags: ['v1'], seed: 'ext-plain' });
      await pushGenerated(registry.url, repository, generated);

      const summary = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        signatures: { gpgKeys: [alice.publicKey], cosignKeys: [], signedOnly: false },
      });

      expect(summary).toMatchObject({ result: 'success', skipped: [], signatures: 0 });
      expect((await rig.content(repository)).tags).toEqual({ v1: generated.tags['v1'] });
      expect(proxy.requests.filter((r) => r.path.startsWith('/extensions/'))).toEqual([]);
    });
  });

  describe('referrers', () => {
    it('syncs an untagged artifact the referrers API lists for a synced manifest', async () => {
      const repository = 'referrers/app';
      const generated = await generateRepository({ tags: ['app', 'other'], seed: 'referrers' });
      await pushGenerated(registry.url, repository, generated);
      const app = generated.tags['app']!;
      const subject = {
        mediaType: MediaType.ociManifest,
        digest: app,
        size: generated.manifests.get(app)!.bytes.length,
      };
      const sbom = buildArtifact({
        artifactType: 'application/example.sbom',
        layerMediaType: 'application/spdx+json',
        content: '{"spdxVersion":"SPDX-2.3"}',
        subject,
      });
      await pushArtifact(registry.url, repository, sbom);
      extensions = attachRegistryExtensions(proxy, registry.url, { referrers: true });
      extensions.addReferrer(repository, app, referrerDescriptor(sbom.bytes));

      const summary = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        pipeline: { tagFilter: (tag) => tag === 'app' },
      });

      expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [] });
      const content = await rig.content(repository);
      expect(content.tags).toEqual({ app });
      expect(Object.keys(content.manifests).sort()).toEqual([app, sbom.digest].sort());
      expect(content.manifests[sbom.digest]).toEqual({
        mediaType: MediaType.ociManifest,
        kind: 'artifact',
        schemaVersion: 2,
      });
      expect(content.blobs).toEqual(
        [...new Set([...tagBlobs(generated, 'app'), sbom.config, sbom.layer])].sort(),
      );
      expect(content.manifestBlobs).toContainEqual([sbom.digest, sbom.layer]);
      // Asked once for each manifest fetched: the image, then the artifact it brought in.
      expect([...extensions.answered.referrers].sort()).toEqual(
        [app, sbom.digest].map((digest) => `/v2/${repository}/referrers/${digest}`).sort(),
      );
    });

    describeWithFixtures('the referrers tag schema', () => {
      it('brings the sha256-<hex> tags of synced manifests along without the API', async () => {
        const expected = await pushFixture(registry.url, 'testrepo');
        const v2 = expected.tags['v2']!;

        const summary = await rig.sync({
          name: 'testrepo',
          registryUrl: proxy.url,
          pipeline: { tagFilter: (tag) => tag === 'v2' },
        });

        expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [] });
        const content = await rig.content('testrepo');
        // v2, then the fallback tags of v2 and of its three platform manifests; the artifacts
        // those list have no fallback tags of their own.
        const children = expected.list_manifests.filter(([list]) => list === v2);
        const tags = ['v2', ...[v2, ...children.map(([, child]) => child)].map(fallbackTag)];
        expect(Object.keys(content.tags).sort()).toEqual(tags.sort());
        expectCatalogMatches(content, expectedForTags(expected, tags));
        // The registry answered the first referrers request with a plain 404: no API, so no more
        // asking; each manifest's fallback tag is looked up in the tag list instead.
        expect(proxy.requests.filter((r) => r.path.includes('/referrers/'))).toHaveLength(1);
      });
    });
  });

  describeWithFixtures('cosign companion tags', () => {
    it.each(['multi-platform', 'single-arch'] as const)(
      '%s: the .sig tags of latest come along, one signature row per signature layer',
      async (fixture) => {
        const expected = await pushFixture(registry.url, fixture);

        const summary = await rig.sync({
          name: fixture,
          registryUrl: proxy.url,
          pipeline: { tagFilter: (tag) => tag === 'latest' },
        });

        expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [] });
        const content = await rig.content(fixture);
        expectCatalogMatches(content, expected);
        const sigTags = Object.keys(expected.tags).filter((tag) => SIG_TAG.test(tag));
        expect(sigTags.length).toBe(fixture === 'multi-platform' ? 5 : 1);
        const rows = sigTags.flatMap((tag) => {
          const sig = expected.tags[tag]!;
          expect(content.manifests[sig]?.kind).toBe('cosign_signature');
          const signed = `sha256:${SIG_TAG.exec(tag)![1]}`;
          return expected.manifest_blobs
            .filter(([manifest]) => manifest === sig)
            .map(([, layer]) => ({ digest: layer, manifest: signed, type: 'cosign', keyId: null }));
        });
        expect(content.signatures).toEqual(byDigest(rows));
        expect(summary.signatures).toBe(rows.length);
      },
    );
  });

  it('syncs .att and .sbom companions with their manifest, not those of others', async () => {
    const repository = 'companions/app';
    const generated = await generateRepository({ tags: ['app', 'other'], seed: 'companions' });
    await pushGenerated(registry.url, repository, generated);
    const app = generated.tags['app']!;
    const other = generated.tags['other']!;
    const attestation = (subject: string) =>
      buildArtifact({
        layerMediaType: 'application/vnd.dsse.envelope.v1+json',
        content: JSON.stringify({ payloadType: 'application/vnd.in-toto+json', subject }),
        layerAnnotations: { predicateType: 'https://slsa.dev/provenance/v0.2' },
      });
    const sbom = buildArtifact({ layerMediaType: 'text/spdx+json', content: '{"name":"app"}' });
    const companions = {
      [companionTag(app, 'att')]: attestation(app),
      [companionTag(app, 'sbom')]: sbom,
      [companionTag(other, 'att')]: attestation(other),
    };
    for (const [tag, artifact] of Object.entries(companions)) {
      await pushArtifact(registry.url, repository, artifact, tag);
    }

    const summary = await rig.sync({
      name: repository,
      registryUrl: proxy.url,
      pipeline: { tagFilter: (tag) => tag === 'app' },
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [], signatures: 0 });
    const content = await rig.content(repository);
    const appAtt = companions[companionTag(app, 'att')]!;
    expect(content.tags).toEqual({
      app,
      [companionTag(app, 'att')]: appAtt.digest,
      [companionTag(app, 'sbom')]: sbom.digest,
    });
    expect(Object.keys(content.manifests).sort()).toEqual([app, appAtt.digest, sbom.digest].sort());
    expect(content.manifestBlobs).toEqual(
      expect.arrayContaining([
        [appAtt.digest, appAtt.layer],
        [sbom.digest, sbom.layer],
      ]),
    );
    expect(content.signatures).toEqual([]);
  });
});

/** The referrers tag schema's tag for a digest (distribution-spec, "Referrers Tag Schema"). */
function fallbackTag(digest: string): string {
  return digest.replace(':', '-');
}
