import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCosignLayer } from '../../../src/signatures/parse-cosign';
import type { ParsedSignature } from '../../../src/signatures/signature-types';
import { verifyCosign } from '../../../src/signatures/verify-cosign';
import { COSIGN, LAYOUTS, describeWithSignatures } from './signature-fixtures';

interface Descriptor {
  mediaType: string;
  digest: string;
  annotations?: Record<string, string>;
}

const blob = (layout: string, digest: string) =>
  readFileSync(join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, '')));
const json = <T>(bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as T;

/** Every simplesigning layer of the `.sig` manifests an OCI layout's index.json lists. */
function signatureLayers(layout: string) {
  const index = json<{ manifests: Descriptor[] }>(readFileSync(join(layout, 'index.json')));
  return index.manifests.flatMap((entry) =>
    json<{ layers: Descriptor[] }>(blob(layout, entry.digest)).layers.map((layer) => ({
      layer,
      payload: blob(layout, layer.digest),
    })),
  );
}

function parseLayer({ layer, payload }: ReturnType<typeof signatureLayers>[number]) {
  return parseCosignLayer({
    layerDigest: layer.digest,
    payload,
    annotations: layer.annotations ?? {},
    mediaType: layer.mediaType,
  });
}

/**
 * The public key in the layer's Rekor bundle (`dev.sigstore.cosign/bundle`): a hashedrekord
 * entry whose body names the key. It is the signer's own claim, so verifying with it only shows
 * that the signature, the payload and our verifier agree, which is what these tests want.
 */
function bundledKey(annotations: Record<string, string> = {}): string {
  const bundle = JSON.parse(annotations['dev.sigstore.cosign/bundle'] ?? '{}');
  const body = JSON.parse(Buffer.from(bundle.Payload.body, 'base64').toString('utf8'));
  return Buffer.from(body.spec.signature.publicKey.content, 'base64').toString('utf8');
}

const SIGS = join(LAYOUTS, 'ocmirror-multi-platform-sigs');

describeWithSignatures('the oc-mirror cosign signatures', () => {
  const folders = () => readdirSync(SIGS).filter((name) => /^sha256-[a-f0-9]{64}-sig$/.test(name));

  it('signs the index of ocmirror-multi-platform and each of its four platform manifests', () => {
    const image = join(LAYOUTS, 'ocmirror-multi-platform');
    const [index] = json<{ manifests: Descriptor[] }>(
      readFileSync(join(image, 'index.json')),
    ).manifests;
    const children = json<{ manifests: Descriptor[] }>(blob(image, index?.digest ?? '')).manifests;

    const signed = folders().map((folder) => `sha256:${folder.slice(7, 71)}`);

    expect(signed.sort()).toEqual([index?.digest, ...children.map((c) => c.digest)].sort());
  });

  it('parses one simplesigning layer per layout, naming the digest of its folder name', () => {
    const parsed: Record<string, ParsedSignature[]> = {};
    for (const folder of folders()) {
      parsed[folder] = signatureLayers(join(SIGS, folder)).map(parseLayer);
    }

    expect(Object.keys(parsed)).toHaveLength(5);
    for (const [folder, signatures] of Object.entries(parsed)) {
      expect(signatures).toHaveLength(1);
      expect(signatures[0]).toMatchObject({
        type: 'cosign',
        keyId: null,
        signedDigest: `sha256:${folder.slice(7, 71)}`,
        dockerReference: 'quay.io/rh_ee_aguidi/multi-platform-container',
      });
    }
  });

  it('records the layer digest as the signature digest', () => {
    const folder = join(SIGS, folders().sort()[0] ?? '');
    const [first] = signatureLayers(folder);

    const parsed = parseLayer(first!);

    expect(parsed.digest).toBe(
      'sha256:89a25c4b082b1f78379293c7443585b598f34257dbb8bb2c7c33d93a30a45c52',
    );
    expect(parsed.raw).toEqual(first?.payload);
  });

  it('parses the single-arch signature, for the digest its tag names', () => {
    const [layer] = signatureLayers(join(LAYOUTS, 'ocmirror-single-arch-sig'));

    const parsed = parseLayer(layer!);

    expect(parsed.signedDigest).toBe(
      'sha256:7d27ba1da0f64410102468d138f9ec8f61f2cc23bb58ff4cd63243a4434e3d99',
    );
    expect(parsed.dockerReference).toBe('quay.io/rh_ee_aguidi/empty-image');
  });

  it('verifies each with the key of its own Rekor bundle, and with no shipped key', () => {
    const shipped = readFileSync(join(COSIGN, 'cosign.pub'));
    for (const folder of folders()) {
      for (const entry of signatureLayers(join(SIGS, folder))) {
        const parsed = parseLayer(entry);
        const options = {
          payload: parsed.raw,
          signatureBase64: parsed.signatureBase64 ?? '',
          manifestDigest: parsed.signedDigest,
          expectedReference: 'quay.io/rh_ee_aguidi/multi-platform-container:latest',
        };

        const own = verifyCosign({ ...options, publicKeyPem: bundledKey(entry.layer.annotations) });
        const other = verifyCosign({ ...options, publicKeyPem: shipped });

        expect(own).toEqual({ status: 'valid' });
        expect(other).toEqual({
          status: 'invalid',
          reason: 'signature does not verify with the given public key',
        });
      }
    }
  });
});
