import { parseManifest } from '../../content/parse-manifest';
import { MediaType } from '../../content/media-types';
import { parseDigest, type Digest } from '../../content/digest';
import type { Upstream } from '../../registry/upstream';
import { parseCosignLayer } from '../parse-cosign';
import type { FoundSignature, SignatureSource } from './found-signature';

/** A cosign payload is a small JSON document; anything larger is not one. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Cosign keeps the signatures of manifest `sha256:<hex>` in an OCI manifest tagged
 * `sha256-<hex>.sig`, one simple-signing payload layer per signature, the signature itself in the
 * layer's `dev.cosignproject.cosign/signature` annotation. Only tags the registry lists are asked
 * for, so an unsigned manifest costs no request.
 */
export class CosignSource implements SignatureSource {
  readonly name = 'cosign';

  constructor(
    private readonly upstream: Upstream,
    private readonly tags: ReadonlySet<string>,
  ) {}

  async find(manifestDigest: string): Promise<FoundSignature[]> {
    const { algorithm, hex } = parseDigest(manifestDigest);
    const tag = `${algorithm}-${hex}.sig`;
    if (!this.tags.has(tag)) return [];
    const fetched = await this.upstream.getManifest(tag);
    const sig = parseManifest(fetched.bytes, {
      digest: fetched.digest,
      contentType: fetched.contentType,
    });
    const found: FoundSignature[] = [];
    for (const layer of sig.layers) {
      if (layer.mediaType !== MediaType.cosignSimpleSigning) continue;
      const where = `${tag} layer ${layer.digest}`;
      try {
        const payload = await this.payload(layer.digest);
        const parsed = parseCosignLayer({
          layerDigest: layer.digest,
          payload,
          annotations: layer.annotations,
          mediaType: layer.mediaType,
        });
        found.push({ parsed, source: this.name });
      } catch (err) {
        found.push({ unreadable: (err as Error).message, source: this.name, where });
      }
    }
    return found;
  }

  private async payload(digest: Digest): Promise<Buffer> {
    const stream = await this.upstream.fetchBlob(digest);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > MAX_PAYLOAD_BYTES) {
        stream.destroy();
        throw new Error(`cosign payload ${digest} is larger than ${MAX_PAYLOAD_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }
}
