import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSimpleSigning } from '../../../src/signatures/parse-simple-signing';
import { readPublicKeys } from '../../../src/signatures/read-public-keys';
import { verifyCosign } from '../../../src/signatures/verify-cosign';
import { verifySimpleSigning } from '../../../src/signatures/verify-simple-signing';
import { generateRepository } from '../image-generator';
import { type RunningRegistry, startRegistry } from '../registry';
import { buildCosignSignatures, createCosignKey } from './cosign';
import { createGpgKey, type GpgKey } from './gpg';
import { addLookasideSignature, readLookasideSignatures } from './lookaside';
import { skopeoCopy, standaloneSign } from './sign-with-skopeo';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('signing with gpg and skopeo', () => {
  let registry: RunningRegistry;
  let key: GpgKey;
  let lookaside: string;

  beforeAll(async () => {
    registry = await startRegistry();
    key = await createGpgKey();
    lookaside = await mkdtemp(join(tmpdir(), 'cs-lookaside-'));
  });

  afterAll(async () => {
    await key?.cleanup();
    await registry?.stop();
    if (lookaside) await rm(lookaside, { recursive: true, force: true });
  });

  it('makes a key the project reads, its key id the end of its fingerprint', async () => {
    const [binary] = await readPublicKeys([key.publicKey]);
    const [armored] = await readPublicKeys([key.armoredPublicKey]);

    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(key.keyId).toBe(key.fingerprint.slice(24).toLowerCase());
    expect(binary?.getKeyID().toHex()).toBe(key.keyId);
    expect(armored?.getFingerprint()).toBe(key.fingerprint.toLowerCase());
    expect(key.armoredPublicKey.toString('utf8')).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
  });

  it('pushes an image with skopeo copy --sign-by and stages one valid signature', async () => {
    const generated = await generateRepository({ tags: ['v1'], seed: 'harness-copy' });

    const result = await skopeoCopy({
      generated,
      sourceTag: 'v1',
      registryHost: registry.host,
      repository: 'harness/copy',
      tag: 'one',
      signBy: key,
      lookasideDir: lookaside,
    });

    expect(result.digest).toBe(generated.tags['v1']);
    expect(result.signatures).toHaveLength(1);
    const signature = result.signatures[0]!;
    const parsed = await parseSimpleSigning(signature);
    expect(parsed).toMatchObject({
      digest: sha256(signature),
      keyId: key.keyId,
      signedDigest: result.digest,
      dockerReference: `${registry.host}/harness/copy:one`,
    });
    const verdict = await verifySimpleSigning(signature, {
      publicKeys: [key.publicKey],
      manifestDigest: result.digest,
    });
    expect(verdict).toEqual({ status: 'valid' });
  });

  it('signs an index and each of its children when copying with --all', async () => {
    const generated = await generateRepository({
      tags: ['multi'],
      seed: 'harness-index',
      platforms: [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux' },
      ],
    });

    const result = await skopeoCopy({
      generated,
      sourceTag: 'multi',
      registryHost: registry.host,
      repository: 'harness/index',
      tag: 'multi',
      signBy: key,
      lookasideDir: lookaside,
    });

    expect(result.digest).toBe(generated.tags['multi']);
    for (const digest of [result.digest, ...generated.children['multi']!]) {
      const [signature, ...more] = await readLookasideSignatures(
        lookaside,
        'harness/index',
        digest,
      );
      expect(more).toEqual([]);
      expect((await parseSimpleSigning(signature!)).signedDigest).toBe(digest);
    }
  });

  it('pushes without signing when no key is given', async () => {
    const generated = await generateRepository({ tags: ['v1'], seed: 'harness-unsigned' });

    const result = await skopeoCopy({
      generated,
      sourceTag: 'v1',
      registryHost: registry.host,
      repository: 'harness/unsigned',
      tag: 'v1',
      lookasideDir: lookaside,
    });

    expect(result).toEqual({ digest: generated.tags['v1'], signatures: [] });
  });

  it('signs exact manifest bytes with standalone-sign and numbers further signatures', async () => {
    const generated = await generateRepository({ tags: ['v1'], seed: 'harness-standalone' });
    const digest = generated.tags['v1']!;
    const manifest = generated.manifests.get(digest)!.bytes;

    const first = await standaloneSign(key, manifest, 'registry.example/harness/standalone:v1');
    const second = await standaloneSign(key, manifest, 'registry.example/harness/standalone:v1');
    const paths = [
      await addLookasideSignature(lookaside, 'harness/standalone', digest, first),
      await addLookasideSignature(lookaside, 'harness/standalone', digest, second),
    ];

    expect(paths).toEqual([
      join(lookaside, `harness/standalone@${digest.replace(':', '=')}`, 'signature-1'),
      join(lookaside, `harness/standalone@${digest.replace(':', '=')}`, 'signature-2'),
    ]);
    expect(await readLookasideSignatures(lookaside, 'harness/standalone', digest)).toEqual([
      first,
      second,
    ]);
    const verdict = await verifySimpleSigning(first, {
      publicKeys: [key.armoredPublicKey],
      manifestDigest: digest,
      expectedReference: 'registry.example/harness/standalone',
    });
    expect(verdict).toEqual({ status: 'valid' });
  });
});

describe('buildCosignSignatures', () => {
  it('makes a .sig manifest whose layers verify with their own key only', () => {
    const [signer, other] = [createCosignKey(), createCosignKey()];
    const signedDigest = `sha256:${'ab'.repeat(32)}`;
    const dockerReference = 'registry.example/team/app:v1';

    const sig = buildCosignSignatures([
      { key: signer, signedDigest, dockerReference },
      { key: other, signedDigest, dockerReference: 'registry.example/team/app:v2' },
    ]);

    const manifest = JSON.parse(sig.bytes.toString('utf8')) as {
      layers: Array<{ digest: string; annotations: Record<string, string> }>;
    };
    expect(manifest.layers.map((layer) => layer.digest)).toEqual(sig.layers);
    const verdicts = manifest.layers.map((layer) =>
      verifyCosign({
        payload: sig.blobs.get(layer.digest)!,
        signatureBase64: layer.annotations['dev.cosignproject.cosign/signature']!,
        publicKeyPem: signer.publicKeyPem,
        manifestDigest: signedDigest,
        expectedReference: 'registry.example/team/app',
      }),
    );
    expect(verdicts).toEqual([
      { status: 'valid' },
      { status: 'invalid', reason: 'signature does not verify with the given public key' },
    ]);
    expect(sha256(sig.bytes)).toBe(sig.digest);
  });
});
