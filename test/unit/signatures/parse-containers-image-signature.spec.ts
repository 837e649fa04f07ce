import { parseContainersImageSignature } from '../../../src/signatures/parse-containers-image-signature';

const record = (value: unknown) =>
  Buffer.concat([Buffer.from('\0sigstore-json\n'), Buffer.from(JSON.stringify(value))]);

describe('parseContainersImageSignature', () => {
  it('takes a file that starts with an OpenPGP packet for a bare simple signing message', () => {
    const bytes = Buffer.from([0xa3, 0x01, 0x02]);

    expect(parseContainersImageSignature(bytes)).toEqual({
      format: 'simple_signing',
      payload: bytes,
    });
  });

  it('unwraps a simple signing message behind a format header', () => {
    const bytes = Buffer.from('\0simple-signing\n\xc4rest', 'latin1');

    const parsed = parseContainersImageSignature(bytes);

    expect(parsed).toEqual({
      format: 'simple_signing',
      payload: Buffer.from('\xc4rest', 'latin1'),
    });
  });

  it('decodes a sigstore-json record; null annotations become none', () => {
    const bytes = record({
      mimeType: 'm',
      payload: Buffer.from('{}').toString('base64'),
      annotations: null,
    });

    expect(parseContainersImageSignature(bytes)).toEqual({
      format: 'cosign',
      payload: Buffer.from('{}'),
      mediaType: 'm',
      annotations: {},
    });
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'empty signature file'],
    [
      'plain text',
      Buffer.from('{"a":1}'),
      'unrecognized signature format, starting with byte 0x7b',
    ],
    [
      'an OpenPGP key packet',
      Buffer.from([0x99, 0x01]),
      'unrecognized signature format, starting with byte 0x99',
    ],
    [
      'a header without newline',
      Buffer.from('\0sigstore-json'),
      'signature format header has no newline',
    ],
    ['an unknown format', Buffer.from('\0x509\n{}'), 'unrecognized signature format "x509"'],
    [
      'a record that is not JSON',
      Buffer.from('\0sigstore-json\n{'),
      'sigstore-json signature is not JSON',
    ],
    [
      'a payload that is not base64',
      record({ mimeType: 'm', payload: '%%' }),
      'sigstore-json signature: payload: Invalid base64-encoded string',
    ],
  ])('refuses %s with SIGNATURE_INVALID', (_, bytes, message) => {
    expect(() => parseContainersImageSignature(bytes)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID', message }),
    );
  });
});
