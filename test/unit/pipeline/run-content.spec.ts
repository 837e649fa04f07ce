import { BlobDc } from '../../../src/pipeline/declarative-content';
import { RunContent } from '../../../src/pipeline/run-content';
import type { Blob } from '../../../src/db/entities/blob';

function blob(n: number): BlobDc {
  const digest = `sha256:${n.toString(16).padStart(64, '0')}` as const;
  return new BlobDc({ mediaType: 'application/octet-stream', digest, size: n }, 'layer');
}

function saved(dc: BlobDc): BlobDc {
  dc.resolve({ id: `id-${dc.key}` } as Blob);
  return dc;
}

describe('RunContent', () => {
  it('keeps every DC in flight, however many', () => {
    const content = new RunContent<BlobDc>(2);
    const dcs = [1, 2, 3, 4].map(blob);
    for (const dc of dcs) content.set(dc.key, dc);

    expect(content.size).toBe(4);
    expect(dcs.map((dc) => content.get(dc.key))).toEqual(dcs);
  });

  it('lets the least recently used settled DCs go beyond the cap', () => {
    const content = new RunContent<BlobDc>(3);
    const [a, b, c] = [1, 2, 3].map((n) => saved(blob(n)));
    for (const dc of [a!, b!, c!]) content.set(dc.key, dc);
    content.get(a!.key); // a is now the most recently used
    const inFlight = blob(4);
    content.set(inFlight.key, inFlight);

    expect(content.size).toBe(3);
    expect(content.get(b!.key)).toBeUndefined();
    expect(content.get(a!.key)).toBe(a);
    expect(content.get(c!.key)).toBe(c);
    expect(content.get(inFlight.key)).toBe(inFlight);
  });

  it('evicts settled DCs only, passing over those in flight', () => {
    const content = new RunContent<BlobDc>(1);
    const first = blob(1);
    const second = saved(blob(2));
    content.set(first.key, first);
    content.set(second.key, second);

    expect(content.size).toBe(1);
    expect(content.get(first.key)).toBe(first);
    expect(content.get(second.key)).toBeUndefined();
  });
});
