import { sha256Digest } from '../../src/content/digest';
import { MediaType } from '../../src/content/media-types';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import {
  endlessManifestBody,
  replaceManifestBody,
  serveManifest,
} from '../harness/manifest-faults';
import { useProxiedUpstream } from '../harness/proxied-upstream';
import { pushGenerated, pushManifest } from '../harness/push';
import { syncWithLog } from '../harness/signatures/sync-with-log';
import { expectOnlyFailure } from './failure-expectations';

/**
 * Manifests that are wrong in themselves: each repository has the tags `good-1`, `bad` and
 * `good-2`, and only `bad` meets the fault. What the registry refuses to store (not JSON, an
 * unknown type, bytes that do not match, a body without end) is served by the proxy in front of
 * it; an empty index it stores, so that one is pushed.
 */

const TAGS = ['good-1', 'bad', 'good-2'];
const MANIFEST_CAP = 4 * 1024 * 1024;

describe.each(['postgres', 'pglite'] as const)('bad manifests upstream on %s', (kind) => {
  const up = useProxiedUpstream(kind);

  /** A repository of its own per case, so no case finds another's content in the catalog. */
  async function pushThreeTags(repo: string): Promise<GeneratedRepository> {
    const generated = await generateRepository({
      tags: TAGS,
      seed: `${kind}/${repo}`,
      uniqueLayerBytes: 64,
    });
    await pushGenerated(up.registry.url, repo, generated);
    return generated;
  }

  const goodTags = (generated: GeneratedRepository) => ({
    'good-1': generated.tags['good-1']!,
    'good-2': generated.tags['good-2']!,
  });

  const sync = (repo: string) => syncWithLog(up.rig, { name: repo, registryUrl: up.proxy.url });

  it('reports a manifest that is not JSON as MANIFEST_INVALID', async () => {
    const repo = 'bad/not-json';
    const generated = await pushThreeTags(repo);
    const bytes = Buffer.from('<html>502 Bad Gateway</html>');
    const digest = sha256Digest(bytes);
    up.proxy.intercept = serveManifest(repo, 'bad', bytes, MediaType.ociManifest);

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest,
        code: 'MANIFEST_INVALID',
        message: `manifest ${digest}: not JSON`,
      },
      tags: goodTags(generated),
      unsaved: digest,
    });
  });

  it('reports a manifest of an unknown media type as MANIFEST_UNKNOWN_TYPE', async () => {
    const repo = 'bad/unknown-type';
    const generated = await pushThreeTags(repo);
    const mediaType = 'application/vnd.example.bundle.v1+json';
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, parts: [] }));
    const digest = sha256Digest(bytes);
    up.proxy.intercept = serveManifest(repo, 'bad', bytes, mediaType);

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest,
        code: 'MANIFEST_UNKNOWN_TYPE',
        message: `manifest ${digest}: unsupported mediaType ${mediaType}`,
      },
      tags: goodTags(generated),
      unsaved: digest,
    });
  });

  it('reports manifest bytes that do not hash to their digest as DIGEST_MISMATCH', async () => {
    const repo = 'bad/digest-mismatch';
    const generated = await pushThreeTags(repo);
    const digest = generated.tags['bad']!;
    const tampered = Buffer.concat([generated.manifests.get(digest)!.bytes, Buffer.from('\n')]);
    up.proxy.intercept = replaceManifestBody(repo, digest, tampered, MediaType.ociManifest);

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest,
        code: 'DIGEST_MISMATCH',
        message: `manifest ${repo} ${digest}: got ${sha256Digest(tampered)}, expected ${digest}`,
      },
      tags: goodTags(generated),
      unsaved: digest,
    });
  });

  it('stops reading a manifest body at 4 MiB and reports MANIFEST_TOO_LARGE', async () => {
    const repo = 'bad/too-large';
    const generated = await pushThreeTags(repo);
    const digest = generated.tags['bad']!;
    const endless = endlessManifestBody(repo, digest, MediaType.ociManifest);
    up.proxy.intercept = endless.intercept;

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest,
        code: 'MANIFEST_TOO_LARGE',
        message: `manifest is over ${MANIFEST_CAP} bytes`,
      },
      tags: goodTags(generated),
      unsaved: digest,
    });
    // What the proxy got rid of before the client hung up: the cap plus what the sockets
    // between them buffer, nowhere near the endless body a reader without a cap would take.
    expect(endless.sent()).toBeGreaterThan(MANIFEST_CAP);
    expect(endless.sent()).toBeLessThan(8 * MANIFEST_CAP);
  }, 30_000);

  it('reports an index whose "manifests" is empty as INDEX_EMPTY', async () => {
    const repo = 'bad/empty-index';
    const generated = await pushThreeTags(repo);
    const bytes = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }),
    );
    const digest = await pushManifest(up.registry.url, repo, 'bad', bytes, MediaType.ociIndex);

    const run = await sync(repo);

    await expectOnlyFailure(up.rig, run, {
      failure: {
        repository: repo,
        reference: 'bad',
        digest,
        code: 'INDEX_EMPTY',
        message: `index ${digest} lists no manifests`,
      },
      tags: goodTags(generated),
      unsaved: digest,
    });
  });
});
