import { classifyRequest } from './request-kind';

describe('classifyRequest', () => {
  it.each([
    ['GET', '/v2/', 'ping'],
    ['GET', '/v2/a/b/c/tags/list', 'tags'],
    ['HEAD', '/v2/a/b/c/manifests/latest', 'manifestHead'],
    ['GET', '/v2/a/b/c/manifests/sha256:abc123', 'manifestGet'],
    ['HEAD', '/v2/library/blobs/sha256:abc123', 'blobHead'],
    ['GET', '/v2/a/blobs/b/blobs/sha256:abc123', 'blobGet'],
    ['PUT', '/v2/a/b/manifests/latest', 'other'],
    ['POST', '/v2/a/b/blobs/uploads/', 'other'],
    ['PATCH', '/v2/a/b/blobs/uploads/0f3c-uuid', 'other'],
    ['GET', '/v2/a/b/blobs/uploads/0f3c-uuid', 'other'],
    ['GET', '/v2/_catalog', 'other'],
    ['GET', '/v2/a/b/referrers/sha256:abc123', 'other'],
  ])('%s %s is %s', (method, path, kind) => {
    const classified = classifyRequest(method, path);

    expect(classified).toBe(kind);
  });
});
