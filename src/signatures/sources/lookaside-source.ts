import axios, { type AxiosInstance } from 'axios';
import { createHash } from 'node:crypto';
import { parseDigest } from '../../content/digest';
import { SyncError } from '../../errors';
import { parseSimpleSigning } from '../parse-simple-signing';
import type { FoundSignature, SignatureSource } from './found-signature';

/** A signature file is a few hundred bytes; anything this large is not one. */
const MAX_SIGNATURE_BYTES = 1024 * 1024;
/** Signatures are numbered from 1 until the first gap; this bounds a store that never ends. */
const MAX_SIGNATURES = 64;

/**
 * A lookaside signature store ("sigstore" in containers-registries.d.5): simple-signing files at
 * `<base>/<repository>@<algorithm>=<hex>/signature-<N>` for N = 1, 2, ... until a 404.
 */
export class LookasideSource implements SignatureSource {
  readonly name = 'lookaside';
  private readonly http: AxiosInstance;

  constructor(
    private readonly baseUrl: string,
    private readonly repository: string,
    http?: AxiosInstance,
  ) {
    this.http =
      http ??
      axios.create({
        timeout: 30_000,
        maxContentLength: MAX_SIGNATURE_BYTES,
        responseType: 'arraybuffer',
        validateStatus: () => true,
      });
  }

  async find(manifestDigest: string): Promise<FoundSignature[]> {
    const { algorithm, hex } = parseDigest(manifestDigest);
    const base = this.baseUrl.replace(/\/+$/, '');
    const found: FoundSignature[] = [];
    for (let n = 1; n <= MAX_SIGNATURES; n++) {
      const url = `${base}/${this.repository}@${algorithm}=${hex}/signature-${n}`;
      const response = await this.http.get<ArrayBuffer>(url).catch((err: unknown) => {
        throw new SyncError(
          'REGISTRY_UNREACHABLE',
          'lookaside signature store unreachable',
          {
            url,
            digest: manifestDigest,
          },
          { cause: err },
        );
      });
      if (response.status === 404) break;
      if (response.status !== 200) {
        throw new SyncError('REGISTRY_ERROR', `lookaside answered ${response.status}`, {
          url,
          status: response.status,
          digest: manifestDigest,
        });
      }
      const bytes = Buffer.from(response.data);
      found.push(await readSignature(bytes, url));
    }
    return found;
  }
}

async function readSignature(bytes: Buffer, where: string): Promise<FoundSignature> {
  try {
    const parsed = await parseSimpleSigning(bytes);
    return { parsed, source: 'lookaside' };
  } catch (err) {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const reason = err instanceof Error ? err.message : String(err);
    return { unreadable: `${reason} (${digest})`, source: 'lookaside', where };
  }
}
