import { z } from 'zod';
import { parseDigest } from '../../content/digest';
import { SyncError } from '../../errors';
import type { RegistryClient } from '../../registry/registry-client';
import { parseSimpleSigning } from '../parse-simple-signing';
import type { FoundSignature, SignatureSource } from './found-signature';

/**
 * The signature list of the registry extension API (containers/image docker "lookaside"
 * alternative, as OpenShift's registry serves it): `GET /extensions/v2/<name>/signatures/<digest>`.
 */
const SignatureListSchema = z.object({
  signatures: z
    .array(
      z.object({
        version: z.number().optional(),
        type: z.string().optional(),
        name: z.string().optional(),
        content: z.string(),
      }),
    )
    .nullable(),
});

const MAX_LIST_BYTES = 4 * 1024 * 1024;

/** Used when `GET /v2/` says `X-Registry-Supports-Signatures: 1`. */
export class ExtensionSource implements SignatureSource {
  readonly name = 'extension';

  constructor(private readonly client: RegistryClient) {}

  /** Whether the registry offers the API, from the headers of `GET /v2/`. */
  static async supported(client: RegistryClient): Promise<boolean> {
    const answer = await client.getExtension('/v2/', { maxBytes: 64 * 1024 });
    return answer.headers['x-registry-supports-signatures'] === '1';
  }

  async find(manifestDigest: string): Promise<FoundSignature[]> {
    parseDigest(manifestDigest);
    const path = `/extensions/v2/<name>/signatures/${manifestDigest}`;
    const answer = await this.client.getExtension(path, {
      accept: 'application/json',
      maxBytes: MAX_LIST_BYTES,
      reference: manifestDigest,
    });
    if (answer.status === 404) return [];
    if (!answer.body) {
      throw new SyncError('REGISTRY_ERROR', `signature API answered ${answer.status}`, {
        digest: manifestDigest,
        status: answer.status,
      });
    }
    const list = SignatureListSchema.safeParse(safeJson(answer.body));
    if (!list.success) {
      throw new SyncError('REGISTRY_ERROR', 'signature API answer is not a signature list', {
        digest: manifestDigest,
      });
    }
    const found: FoundSignature[] = [];
    for (const [i, entry] of (list.data.signatures ?? []).entries()) {
      const where = `signatures[${i}] of ${manifestDigest}`;
      try {
        const parsed = await parseSimpleSigning(Buffer.from(entry.content, 'base64'));
        found.push({ parsed, source: this.name });
      } catch (err) {
        found.push({ unreadable: (err as Error).message, source: this.name, where });
      }
    }
    return found;
  }
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
