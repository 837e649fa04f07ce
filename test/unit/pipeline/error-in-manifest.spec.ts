import { sha256Digest } from '../../../src/content/digest';
import { SyncError } from '../../../src/errors';
import { errorInManifest } from '../../../src/pipeline/error-in-manifest';

const image = sha256Digest('an image manifest');
const list = sha256Digest('a list holding the image');
const layer = sha256Digest('a layer of the image');

describe('errorInManifest', () => {
  it('names the manifest itself when the error names no document', () => {
    const error = errorInManifest(new SyncError('MANIFEST_TOO_LARGE', 'too big'), image);

    expect(error).toMatchObject({ code: 'MANIFEST_TOO_LARGE', data: { digest: image } });
    expect(error.data.manifest).toBeUndefined();
  });

  it('names the manifest a blob belongs to, keeping code, message and cause', () => {
    const cause = new Error('socket closed');
    const original = new SyncError('BLOB_MISSING', 'gone', { digest: layer }, { cause });

    const error = errorInManifest(original, image);

    expect(error).toMatchObject({
      code: 'BLOB_MISSING',
      message: 'gone',
      data: { digest: layer, manifest: image },
    });
    expect(error.cause).toBe(cause);
    expect(original.data.manifest).toBeUndefined();
  });

  it('keeps the innermost manifest when the error comes up through a list', () => {
    const fromImage = errorInManifest(
      new SyncError('BLOB_MISSING', 'gone', { digest: layer }),
      image,
    );

    expect(errorInManifest(fromImage, list).data).toEqual({ digest: layer, manifest: image });
  });

  it('turns anything else thrown into INTERNAL about the manifest', () => {
    const error = errorInManifest(new TypeError('x is undefined'), list);

    expect(error).toMatchObject({
      code: 'INTERNAL',
      message: 'x is undefined',
      data: { digest: list },
    });
  });
});
