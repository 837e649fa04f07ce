import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest } from '../../../src/content/digest';
import { manifestDigest } from '../../../src/content/manifest-digest';
import { schema1Payload } from '../../../src/content/schema1';
import { SHARED_FIXTURES, describeWithFixtures } from '../../harness/fixtures';

/** A small signed schema 1 document built here, so these tests need no fixture files. */
function signedDocument(payloadJson: string, signatures: unknown[]): Buffer {
  // libtrust splices `,"signatures":[...]` in before the payload's closing brace.
  const cut = payloadJson.lastIndexOf('}');
  const head = payloadJson.slice(0, cut).trimEnd();
  return Buffer.from(`${head},"signatures":${JSON.stringify(signatures)}}`);
}

function protectedHeader(formatLength: number, tail: string): string {
  const header = { formatLength, formatTail: Buffer.from(tail).toString('base64url') };
  return Buffer.from(JSON.stringify(header)).toString('base64url');
}

const PAYLOAD =
  '{"schemaVersion":1,"name":"a/b","tag":"t","architecture":"amd64","fsLayers":[],"history":[]}';
const HEAD_LENGTH = PAYLOAD.lastIndexOf('}');

function signature(value: string, prot = protectedHeader(HEAD_LENGTH, '}')) {
  return { header: { alg: 'ES256', jwk: {} }, signature: value, protected: prot };
}

describe('schema1Payload', () => {
  it('cuts the signatures out again, giving the bytes that were signed', () => {
    const bytes = signedDocument(PAYLOAD, [signature('c2ln')]);

    const payload = schema1Payload(bytes, JSON.parse(bytes.toString()));

    expect(payload.toString()).toBe(PAYLOAD);
  });

  it('gives the same digest however often the document is re-signed', () => {
    const once = signedDocument(PAYLOAD, [signature('Zmlyc3Q')]);
    const again = signedDocument(PAYLOAD, [signature('c2Vjb25k'), signature('dGhpcmQ')]);

    expect(manifestDigest(once)).toBe(sha256Digest(PAYLOAD));
    expect(manifestDigest(again)).toBe(sha256Digest(PAYLOAD));
    expect(sha256Digest(once)).not.toBe(sha256Digest(again));
  });

  it('hashes with the algorithm asked for', () => {
    const bytes = signedDocument(PAYLOAD, [signature('c2ln')]);

    expect(manifestDigest(bytes, 'sha512')).toMatch(/^sha512:[a-f0-9]{128}$/);
  });

  it.each([
    ['a protected header that is not base64url JSON', signature('c2ln', 'bm90IGpzb24')],
    ['a formatLength past the end', signature('c2ln', protectedHeader(10_000, '}'))],
    ['a payload that is not JSON', signature('c2ln', protectedHeader(5, '}'))],
  ])('refuses %s with MANIFEST_INVALID', (_, sig) => {
    const bytes = signedDocument(PAYLOAD, [sig]);

    expect(() => schema1Payload(bytes, JSON.parse(bytes.toString()), { digest: 'x' })).toThrow(
      expect.objectContaining({ code: 'MANIFEST_INVALID', data: { digest: 'x' } }),
    );
  });

  it('refuses signatures that disagree on the payload', () => {
    const bytes = signedDocument(PAYLOAD, [
      signature('YQ'),
      signature('Yg', protectedHeader(HEAD_LENGTH - 1, '}')),
    ]);

    expect(() => manifestDigest(bytes)).toThrow(/disagree/);
  });
});

describeWithFixtures('schema1Payload on the skopeo fixture', () => {
  it('reconstructs a payload that is the document without its signatures', () => {
    const bytes = readFileSync(join(SHARED_FIXTURES, 'dirs/skopeo-schema1-signed/manifest.json'));
    const document = JSON.parse(bytes.toString()) as Record<string, unknown>;

    const payload = JSON.parse(schema1Payload(bytes, document).toString()) as object;

    delete document.signatures;
    expect(payload).toEqual(document);
  });
});
