import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSimpleSigning } from '../../src/signatures/parse-simple-signing';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import { msg } from '../harness/log-lines';
import { type CountingProxy, startCountingProxy } from '../harness/proxy';
import { pushGenerated } from '../harness/push';
import { type RunningRegistry, startRegistry } from '../harness/registry';
import { blobGetsOf } from '../harness/signatures/blob-gets';
import { tagBlobs, tagManifests } from '../harness/signatures/generated-blobs';
import { createGpgKey, type GpgKey } from '../harness/signatures/gpg';
import {
  addLookasideSignature,
  lookasideSignaturePath,
  readLookasideSignatures,
} from '../harness/signatures/lookaside';
import { skopeoCopy, standaloneSign } from '../harness/signatures/sign-with-skopeo';
import { type StaticServer, startStaticServer } from '../harness/signatures/static-server';
import { syncWithLog } from '../harness/signatures/sync-with-log';
import { createSyncRig, type RigSyncOptions, type SyncRig } from '../harness/sync-rig';

type SignatureOptions = NonNullable<RigSyncOptions['signatures']>;

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const byDigest = <T extends { digest: string }>(rows: T[]) =>
  [...rows].sort((a, b) => a.digest.localeCompare(b.digest));
const TWO_PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux' },
];
const aReason = expect.stringMatching(/\S/);

/** A signature row as readVersionContent lists it, for a simple-signing file. */
function simpleSigningRow(file: Buffer, manifest: string, key: GpgKey) {
  return { digest: sha256(file), manifest, type: 'simple_signing', keyId: key.keyId };
}

/** The same signature file with its last four bytes (inside the signature value) flipped. */
function tamper(file: Buffer): Buffer {
  const copy = Buffer.from(file);
  for (let i = copy.length - 4; i < copy.length; i++) copy[i] = copy[i]! ^ 0xff;
  return copy;
}

/**
 * Simple signing kept in a lookaside store: skopeo signs as it pushes, staging `signature-N`
 * files into a directory, and a web server on loopback serves that directory to the sync.
 */
describe('simple signing from a lookaside store, on postgres', () => {
  let registry: RunningRegistry;
  let proxy: CountingProxy;
  let lookasideDir: string;
  let lookaside: StaticServer;
  let alice: GpgKey;
  let bob: GpgKey;
  let rig: SyncRig;

  const options = (overrides: Partial<SignatureOptions> = {}): SignatureOptions => ({
    lookaside: lookaside.url,
    gpgKeys: [alice.publicKey, bob.armoredPublicKey],
    cosignKeys: [],
    signedOnly: false,
    ...overrides,
  });

  /** Pushes one generated tag with skopeo, signed by `signBy` when given. */
  const push = (repository: string, tag: string, generated: GeneratedRepository, signBy?: GpgKey) =>
    skopeoCopy({
      generated,
      sourceTag: tag,
      registryHost: registry.host,
      repository,
      tag,
      lookasideDir,
      ...(signBy === undefined ? {} : { signBy }),
    });

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startCountingProxy(registry.url);
    lookasideDir = await mkdtemp(join(tmpdir(), 'cs-lookaside-'));
    lookaside = await startStaticServer(lookasideDir);
    [alice, bob] = await Promise.all([
      createGpgKey({ userId: 'alice <alice@example.invalid>' }),
      createGpgKey({ userId: 'bob <bob@example.invalid>', algorithm: 'rsa3072' }),
    ]);
    rig = await createSyncRig('postgres');
  });

  afterAll(async () => {
    await rig?.close();
    await lookaside?.stop();
    await proxy?.stop();
    await registry?.stop();
    await alice?.cleanup();
    await bob?.cleanup();
    if (lookasideDir) await rm(lookasideDir, { recursive: true, force: true });
  });

  it('records each signature file: its sha256, key id and the manifest it signs', async () => {
    const repository = 'lookaside/app';
    const generated = await generateRepository({ tags: ['one', 'two', 'bare'], seed: 'la-a' });
    const one = await push(repository, 'one', generated, alice);
    const two = await push(repository, 'two', generated, bob);
    const bare = await push(repository, 'bare', generated);
    const reference = `${registry.host}/${repository}:one`;
    const second = await standaloneSign(bob, generated.manifests.get(one.digest)!.bytes, reference);
    await addLookasideSignature(lookasideDir, repository, one.digest, second);
    const [oneByAlice, oneByBob] = await readLookasideSignatures(
      lookasideDir,
      repository,
      one.digest,
    );
    const twoByBob = two.signatures[0]!;
    lookaside.reset();

    const summary = await rig.sync({
      name: repository,
      registryUrl: proxy.url,
      signatures: options(),
    });

    expect(summary).toMatchObject({ result: 'success', failed: [], skipped: [], signatures: 3 });
    const content = await rig.content(repository);
    expect(content.tags).toEqual({ one: one.digest, two: two.digest, bare: bare.digest });
    expect(content.signatures).toEqual(
      byDigest([
        simpleSigningRow(oneByAlice!, one.digest, alice),
        simpleSigningRow(oneByBob!, one.digest, bob),
        simpleSigningRow(twoByBob, two.digest, bob),
      ]),
    );
    const stored: Array<{ digest: string; data: Buffer; creator: string; timestamp: Date }> =
      await rig.catalog.read((m) =>
        m.query('SELECT digest, data, creator, timestamp FROM manifest_signature ORDER BY digest'),
      );
    const files = byDigest(
      await Promise.all(
        [oneByAlice!, oneByBob!, twoByBob].map(async (file) => ({
          file,
          ...(await parseSimpleSigning(file)),
        })),
      ),
    );
    expect(stored).toEqual(
      files.map(({ digest, file, creator, timestamp }) => ({
        digest,
        data: file,
        creator,
        timestamp,
      })),
    );
    const fetched = lookaside.requests.filter((r) => r.status === 200).map((r) => r.path);
    expect(fetched.sort()).toEqual(
      [
        lookasideSignaturePath('/', repository, one.digest, 1),
        lookasideSignaturePath('/', repository, one.digest, 2),
        lookasideSignaturePath('/', repository, two.digest, 1),
      ].sort(),
    );
  });

  describe('with signed_only', () => {
    it('keeps only the validly signed tag and never downloads what it skips', async () => {
      const repository = 'gate/app';
      const images = {
        valid: await generateRepository({ tags: ['valid'], seed: 'gate-valid' }),
        tampered: await generateRepository({ tags: ['tampered'], seed: 'gate-tampered' }),
        missing: await generateRepository({ tags: ['missing'], seed: 'gate-missing' }),
      };
      const valid = await push(repository, 'valid', images.valid, alice);
      const tampered = await push(repository, 'tampered', images.tampered, alice);
      const missing = await push(repository, 'missing', images.missing);
      const tamperedFile = lookasideSignaturePath(lookasideDir, repository, tampered.digest, 1);
      await writeFile(tamperedFile, tamper(await readFile(tamperedFile)));
      proxy.reset();

      const summary = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        signatures: options({
          signedOnly: true,
          gpgKeys: [alice.publicKey],
          expectedReference: `${registry.host}/${repository}`,
        }),
      });

      expect(summary).toMatchObject({ result: 'success', failed: [], signatures: 1 });
      expect(byReference(summary.skipped)).toEqual([
        { reference: 'missing', digest: missing.digest, reason: aReason },
        { reference: 'tampered', digest: tampered.digest, reason: aReason },
      ]);
      const content = await rig.content(repository);
      expect(content.tags).toEqual({ valid: valid.digest });
      expect(Object.keys(content.manifests)).toEqual([valid.digest]);
      expect(content.blobs).toEqual(tagBlobs(images.valid, 'valid'));
      expect(content.signatures).toEqual([
        simpleSigningRow(valid.signatures[0]!, valid.digest, alice),
      ]);
      const skippedBlobs = [
        ...tagBlobs(images.tampered, 'tampered'),
        ...tagBlobs(images.missing, 'missing'),
      ];
      expect(blobGetsOf(proxy, skippedBlobs)).toEqual(
        Object.fromEntries(skippedBlobs.map((digest) => [digest, 0])),
      );
      const validBlobs = tagBlobs(images.valid, 'valid');
      expect(blobGetsOf(proxy, validBlobs)).toEqual(
        Object.fromEntries(validBlobs.map((digest) => [digest, 1])),
      );
    });

    it('skips an index whole when one child is unsigned, though the index is signed', async () => {
      const repository = 'gate/multi';
      const partial = await generateRepository({
        tags: ['partial'],
        seed: 'gate-partial',
        platforms: TWO_PLATFORMS,
      });
      const whole = await generateRepository({
        tags: ['whole'],
        seed: 'gate-whole',
        platforms: TWO_PLATFORMS,
      });
      await pushGenerated(registry.url, repository, partial);
      await pushGenerated(registry.url, repository, whole);
      const [partialIndex, signedChild, unsignedChild] = tagManifests(partial, 'partial');
      const signatures = new Map<string, Buffer>();
      const sign = async (generated: GeneratedRepository, tag: string, digest: string) => {
        const reference = `${registry.host}/${repository}:${tag}`;
        const file = await standaloneSign(alice, generated.manifests.get(digest)!.bytes, reference);
        await addLookasideSignature(lookasideDir, repository, digest, file);
        signatures.set(digest, file);
      };
      await sign(partial, 'partial', partialIndex!);
      await sign(partial, 'partial', signedChild!);
      for (const digest of tagManifests(whole, 'whole')) await sign(whole, 'whole', digest);
      proxy.reset();

      const summary = await rig.sync({
        name: repository,
        registryUrl: proxy.url,
        signatures: options({ signedOnly: true }),
      });

      expect(unsignedChild).toBeDefined();
      expect(summary).toMatchObject({ result: 'success', failed: [], signatures: 3 });
      expect(summary.skipped).toEqual([
        { reference: 'partial', digest: partialIndex, reason: aReason },
      ]);
      const content = await rig.content(repository);
      expect(content.tags).toEqual({ whole: whole.tags['whole'] });
      expect(Object.keys(content.manifests).sort()).toEqual(tagManifests(whole, 'whole').sort());
      expect(content.blobs).toEqual(tagBlobs(whole, 'whole'));
      expect(content.signatures).toEqual(
        byDigest(
          tagManifests(whole, 'whole').map((digest) =>
            simpleSigningRow(signatures.get(digest)!, digest, alice),
          ),
        ),
      );
      const partialBlobs = tagBlobs(partial, 'partial');
      expect(blobGetsOf(proxy, partialBlobs)).toEqual(
        Object.fromEntries(partialBlobs.map((digest) => [digest, 0])),
      );
    });

    it('succeeds with a warning when nothing upstream is signed', async () => {
      const repository = 'gate/none';
      const generated = await generateRepository({ tags: ['a', 'b'], seed: 'gate-none' });
      await pushGenerated(registry.url, repository, generated);
      proxy.reset();

      const { summary, log } = await syncWithLog(rig, {
        name: repository,
        registryUrl: proxy.url,
        signatures: options({ signedOnly: true }),
      });

      expect(summary).toMatchObject({ result: 'success', failed: [], signatures: 0 });
      const warning = await log.waitFor(msg('signed_only left nothing to sync'), 1, 2000);
      expect(warning['level']).toBe(40);
      expect(byReference(summary.skipped)).toEqual([
        { reference: 'a', digest: generated.tags['a'], reason: aReason },
        { reference: 'b', digest: generated.tags['b'], reason: aReason },
      ]);
      const content = await rig.content(repository);
      expect(content.tags).toEqual({});
      expect(content.manifests).toEqual({});
      expect(content.signatures).toEqual([]);
      expect(proxy.counts().blobGet).toBe(0);
    });
  });
});

function byReference<T extends { reference: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => a.reference.localeCompare(b.reference));
}
