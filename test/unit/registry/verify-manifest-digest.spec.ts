import { digestOf, sha256Digest } from '../../../src/content/digest';
import { verifyManifestDigest } from '../../../src/registry/verify-manifest-digest';

const bytes = Buffer.from('{"schemaVersion":2}');
const good = sha256Digest(bytes);
const other = sha256Digest('something else');
const where = { registry: 'r:5000', repository: 'team/app' };

describe('verifyManifestDigest', () => {
  it('by digest, checks the bytes against the reference', () => {
    expect(verifyManifestDigest({ bytes, reference: good, where })).toBe(good);
    expect(() => verifyManifestDigest({ bytes, reference: other, where })).toThrow(
      expect.objectContaining({
        code: 'DIGEST_MISMATCH',
        data: expect.objectContaining({ reference: other, expected: other, actual: good }),
      }),
    );
  });

  it('by digest, also checks the expected digest when it differs from the reference', () => {
    const check = () =>
      verifyManifestDigest({ bytes, reference: good, expectedDigest: other, where });

    expect(check).toThrow(expect.objectContaining({ code: 'DIGEST_MISMATCH' }));
    expect(check).toThrow(/team\/app/);
  });

  it('by tag, checks the expected digest before the one the registry reported', () => {
    expect(
      verifyManifestDigest({
        bytes,
        reference: 'v1',
        expectedDigest: good,
        reportedDigest: other,
        where,
      }),
    ).toBe(good);
    expect(() =>
      verifyManifestDigest({
        bytes,
        reference: 'v1',
        expectedDigest: other,
        reportedDigest: good,
        where,
      }),
    ).toThrow(expect.objectContaining({ code: 'DIGEST_MISMATCH' }));
  });

  it('by tag without an expectation, checks the reported digest', () => {
    expect(() =>
      verifyManifestDigest({ bytes, reference: 'v1', reportedDigest: other, where }),
    ).toThrow(expect.objectContaining({ code: 'DIGEST_MISMATCH' }));
  });

  it('by tag with nothing promised, accepts the computed digest', () => {
    expect(verifyManifestDigest({ bytes, reference: 'v1', where })).toBe(good);
  });

  it('checks a sha512 reference with sha512', () => {
    const sha512 = digestOf(bytes, 'sha512');

    expect(verifyManifestDigest({ bytes, reference: sha512, where })).toBe(sha512);
  });
});
