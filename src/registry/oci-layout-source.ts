import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';
import { defer, from, mergeMap, type Observable } from 'rxjs';
import { z } from 'zod';
import { digestOf, type Digest, isDigest, parseDigest } from '../content/digest';
import { SyncError, type ErrorData } from '../errors';
import { realPathInLayout } from './layout-path';
import {
  type FetchedManifest,
  type ManifestHead,
  noRequests,
  type RequestKind,
  type Upstream,
} from './upstream';

const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * index.json of an OCI image layout (image-spec/image-layout.md#indexjson-file). Digests are
 * checked per entry when used, so one bad entry fails its own tag (DIGEST_INVALID), not all.
 */
const layoutIndexSchema = z.object({
  schemaVersion: z.literal(2),
  manifests: z.array(
    z.object({
      mediaType: z.string(),
      digest: z.string(),
      size: z.number().int().nonnegative(),
      annotations: z.record(z.string(), z.string()).optional(),
    }),
  ),
});
type LayoutIndex = z.infer<typeof layoutIndexSchema>;

/**
 * An OCI image layout directory as the upstream, for air-gapped imports. Tags are the
 * `org.opencontainers.image.ref.name` annotations of index.json; content is read from
 * `blobs/<algorithm>/<hex>` and checked against its digest like registry content. Every file is
 * read through its real path, which must lie inside the layout (see realPathInLayout).
 */
export class OciLayoutSource implements Upstream {
  readonly description: string;
  readonly requests: Record<RequestKind, number> = noRequests();
  private index?: Promise<LayoutIndex>;
  private realRoot?: Promise<string>;

  constructor(private readonly root: string) {
    this.description = `oci-layout:${root}`;
  }

  async ping(): Promise<void> {
    this.requests.ping += 1;
    const layout = await this.readJson('oci-layout');
    if ((layout as { imageLayoutVersion?: unknown }).imageLayoutVersion !== '1.0.0') {
      throw this.invalid('oci-layout: imageLayoutVersion is not "1.0.0"');
    }
    await this.readIndex();
  }

  listTags(): Observable<string> {
    return defer(() => this.readIndex()).pipe(
      mergeMap((index) => {
        this.requests.tags += 1;
        const names = index.manifests.flatMap((m) => m.annotations?.[REF_NAME] ?? []);
        return from([...new Set(names)]);
      }),
    );
  }

  async headManifest(reference: string): Promise<ManifestHead | undefined> {
    this.requests.manifestHead += 1;
    const index = await this.readIndex();
    const entry = isDigest(reference)
      ? index.manifests.find((m) => m.digest === reference)
      : index.manifests.find((m) => m.annotations?.[REF_NAME] === reference);
    if (entry) {
      parseDigest(entry.digest, { reference, path: this.root });
      return { digest: entry.digest as Digest, mediaType: entry.mediaType, size: entry.size };
    }
    if (isDigest(reference) && (await this.blobFile(reference, { reference }))) {
      return { digest: reference };
    }
    return undefined;
  }

  async getManifest(reference: string, expectedDigest?: Digest): Promise<FetchedManifest> {
    const head = await this.headManifest(reference);
    this.requests.manifestGet += 1;
    const digest = expectedDigest ?? head?.digest;
    if (!digest) {
      throw new SyncError('NOT_FOUND', `no manifest ${reference} in the layout`, {
        reference,
        path: this.root,
      });
    }
    const missing = (cause?: unknown) =>
      new SyncError(
        'NOT_FOUND',
        `manifest blob ${digest} missing from the layout`,
        { reference, digest, path: this.root },
        { cause },
      );
    const file = await this.blobFile(digest, { reference });
    if (file === undefined) throw missing();
    const bytes = await readFile(file).catch((err: unknown) => {
      throw missing(err);
    });
    const actual = digestOf(bytes, parseDigest(digest).algorithm);
    if (actual !== digest) {
      throw new SyncError('DIGEST_MISMATCH', `manifest bytes hash to ${actual}`, {
        reference,
        digest,
        path: this.root,
      });
    }
    return { digest, bytes, contentType: head?.mediaType };
  }

  blobUrl(digest: Digest): string {
    const { algorithm, hex } = parseDigest(digest);
    return pathToFileURL(path.join(this.root, 'blobs', algorithm, hex)).toString();
  }

  async fetchBlob(digest: Digest): Promise<Readable> {
    this.requests.blobGet += 1;
    const file = await this.blobFile(digest);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || !info?.isFile()) {
      throw new SyncError('NOT_FOUND', `blob ${digest} missing from the layout`, {
        digest,
        path: this.root,
      });
    }
    return createReadStream(file);
  }

  /**
   * The real path of a blob, `undefined` when it is not there. The digest's grammar is checked
   * before it names a path, and the path's real location must be inside the layout.
   */
  private async blobFile(digest: string, where: ErrorData = {}): Promise<string | undefined> {
    const { algorithm, hex } = parseDigest(digest, { ...where, path: this.root });
    return realPathInLayout(await this.layoutRoot(), path.join('blobs', algorithm, hex));
  }

  /** The root with its own symlinks resolved: a layout may itself be reached through one. */
  private layoutRoot(): Promise<string> {
    this.realRoot ??= realpath(this.root).catch(() => path.resolve(this.root));
    return this.realRoot;
  }

  private readIndex(): Promise<LayoutIndex> {
    this.index ??= this.readJson('index.json').then((json) => {
      const parsed = layoutIndexSchema.safeParse(json);
      if (!parsed.success) throw this.invalid(`index.json: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
    return this.index;
  }

  private async readJson(name: string): Promise<unknown> {
    const file = path.join(this.root, name);
    const real = await realPathInLayout(await this.layoutRoot(), name);
    try {
      return JSON.parse(await readFile(real ?? file, 'utf8'));
    } catch (err) {
      throw new SyncError(
        'LAYOUT_INVALID',
        `cannot read ${path.basename(file)} as JSON`,
        {
          file,
        },
        { cause: err },
      );
    }
  }

  private invalid(message: string): SyncError {
    return new SyncError('LAYOUT_INVALID', message, { path: this.root });
  }
}
