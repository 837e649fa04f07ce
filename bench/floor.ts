/**
 * The floor: what syncing the repository costs with nothing but the transfers. Every manifest
 * and blob is fetched exactly once through the product's HttpClient (the same keep-alive agent
 * and socket cap as a sync), bytes are discarded, and nothing is checked or stored. Run as its
 * own process, so its wall time and peak RSS are comparable with the other peers':
 *
 *   node dist/bench/floor.js <registry-url> <repository> [concurrency]
 *
 * Prints one JSON line: how many tags, manifests and blobs it fetched and the bytes read.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { MANIFEST_ACCEPT } from '../src/content/media-types';
import { AnonymousAuth } from '../src/registry/anonymous-auth';
import { HttpClient } from '../src/registry/http-client';
import type { HttpResponse } from '../src/registry/http-types';
import { readBody } from '../src/registry/read-body';
import { RegistryClient } from '../src/registry/registry-client';

type Job = { kind: 'manifest'; reference: string } | { kind: 'blob'; digest: string };

interface Descriptor {
  digest: string;
}

/** The only fields the walk reads: an index's children, an image's config and layers. */
interface ManifestLinks {
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

const MANIFEST_CAP = 4 * 1024 * 1024;

async function main(): Promise<void> {
  const [registryUrl, repository, concurrencyArg] = process.argv.slice(2);
  if (registryUrl === undefined || repository === undefined) {
    throw new Error('usage: floor <registry-url> <repository> [concurrency]');
  }
  const concurrency = Number(concurrencyArg ?? 8);
  const http = new HttpClient({
    registryUrl: new URL(registryUrl),
    authenticator: new AnonymousAuth(),
    maxSockets: concurrency,
  });
  const client = new RegistryClient({ registryUrl, repository, transport: http });
  const base = `${registryUrl}/v2/${repository}`;
  const totals = { tags: 0, manifests: 0, blobs: 0, bytes: 0 };
  const seen = new Set<string>();

  const expect200 = (response: HttpResponse, what: string) => {
    if (response.status !== 200) throw new Error(`${what}: status ${response.status}`);
  };

  const fetchManifest = async (reference: string): Promise<Job[]> => {
    const response = await http.send({
      method: 'GET',
      url: new URL(`${base}/manifests/${reference}`),
      headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    });
    expect200(response, `manifest ${reference}`);
    const bytes = await readBody(response.body, MANIFEST_CAP);
    if (bytes === undefined) throw new Error(`manifest ${reference} over ${MANIFEST_CAP} bytes`);
    totals.manifests += 1;
    totals.bytes += bytes.length;

    const links = JSON.parse(bytes.toString('utf8')) as ManifestLinks;
    const children = (links.manifests ?? []).map(({ digest }): Job => ({
      kind: 'manifest',
      reference: digest,
    }));
    const blobs = [links.config, ...(links.layers ?? [])].flatMap((descriptor): Job[] =>
      descriptor ? [{ kind: 'blob', digest: descriptor.digest }] : [],
    );
    return [...children, ...blobs].filter((job) => {
      const key = job.kind === 'blob' ? job.digest : job.reference;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };

  const fetchBlob = async (digest: string): Promise<Job[]> => {
    const response = await http.send({
      method: 'GET',
      url: new URL(`${base}/blobs/${digest}`),
      raw: true,
    });
    expect200(response, `blob ${digest}`);
    for await (const chunk of response.body) totals.bytes += (chunk as Buffer).length;
    totals.blobs += 1;
    return [];
  };

  const tags = await lastValueFrom(client.listTags().pipe(toArray()));
  totals.tags = tags.length;

  // Depth first (a stack): a tag's children and blobs go before the next tag, so what waits
  // stays small whatever the repository's size, as it does in a sync.
  const stack: Job[] = tags.map((tag): Job => ({ kind: 'manifest', reference: tag })).reverse();
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    const pump = () => {
      while (active < concurrency && stack.length > 0) {
        const job = stack.pop() as Job;
        active += 1;
        const work = job.kind === 'blob' ? fetchBlob(job.digest) : fetchManifest(job.reference);
        work.then((next) => {
          active -= 1;
          stack.push(...next.reverse());
          pump();
        }, reject);
      }
      if (active === 0 && stack.length === 0) resolve();
    };
    pump();
  });

  http.close();
  process.stdout.write(`${JSON.stringify(totals)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
