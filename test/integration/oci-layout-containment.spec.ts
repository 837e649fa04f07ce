import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OciLayoutSource } from '../../src/registry/oci-layout-source';
import { type GeneratedRepository, generateRepository } from '../harness/image-generator';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';
import { REF_NAME_ANNOTATION, writeOciLayout } from '../harness/write-oci-layout';

const HEX = 'ab'.repeat(32);

/** index.json entries a hostile layout may hold, by the tag they carry. */
const BAD_ENTRIES: Record<string, string> = {
  'evil-traversal': 'sha256:../../../etc/passwd',
  'evil-uppercase': `sha256:${HEX.toUpperCase()}`,
  'evil-short': `sha256:${HEX.slice(2)}`,
  'evil-suffix': `sha256:${HEX}/../../../index.json`,
};

/**
 * An OCI layout is read only inside itself: digests are checked before they name a blob file,
 * and a blob whose real path (symlinks resolved) is outside the layout is refused. In each case
 * the file outside holds exactly the bytes the sync wants, so only the check stops it.
 */
describe('OCI layout source containment', () => {
  let workDir: string;
  let generated: GeneratedRepository;
  let rig: SyncRig;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'cs-layout-containment-'));
    generated = await generateRepository({ tags: ['v1', 'v2', 'v3'], seed: 'layout containment' });
  });

  beforeEach(async () => {
    rig = await createSyncRig('pglite');
  });

  afterEach(async () => {
    await rig.close();
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  async function layoutAt(name: string): Promise<string> {
    const dir = path.join(workDir, name);
    await writeOciLayout(dir, generated);
    return dir;
  }

  const blobFile = (layout: string, digest: string) =>
    path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));

  /** Moves a blob out of the layout and leaves a symlink to it in its place. */
  async function moveOutside(layout: string, digest: string, outside: string): Promise<string> {
    await mkdir(outside, { recursive: true });
    const target = path.join(outside, digest.slice('sha256:'.length));
    await rename(blobFile(layout, digest), target);
    await symlink(target, blobFile(layout, digest));
    return target;
  }

  it('fails each index entry with a bad digest as DIGEST_INVALID and syncs the rest', async () => {
    const layout = await layoutAt('hostile-index');
    const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations: Record<string, string> }>;
    };
    const model = index.manifests[0]!;
    for (const [tag, digest] of Object.entries(BAD_ENTRIES)) {
      index.manifests.push({ ...model, digest, annotations: { [REF_NAME_ANNOTATION]: tag } });
    }
    await writeFile(path.join(layout, 'index.json'), JSON.stringify(index));

    const summary = await rig.sync({ name: 'hostile', upstream: new OciLayoutSource(layout) });

    expect(summary.result).toBe('partial');
    const failed = [...summary.failed].sort((a, b) => a.reference.localeCompare(b.reference));
    const entries = Object.entries(BAD_ENTRIES).sort(([a], [b]) => a.localeCompare(b));
    expect(failed).toEqual(
      entries.map(([tag, digest]) => ({
        repository: 'hostile',
        reference: tag,
        digest,
        code: 'DIGEST_INVALID',
        message: `not a valid digest: ${JSON.stringify(digest)}`,
      })),
    );
    expect((await rig.content('hostile')).tags).toEqual(generated.tags);
  });

  it('refuses a manifest and a layer whose symlink leads out of the layout', async () => {
    const layout = await layoutAt('symlinked-blobs');
    const outside = path.join(workDir, 'outside');
    const manifest = generated.tags['v1']!;
    const v2 = JSON.parse(generated.manifests.get(generated.tags['v2']!)!.bytes.toString()) as {
      layers: Array<{ digest: string }>;
    };
    const layer = v2.layers.at(-1)!.digest;
    const manifestTarget = await moveOutside(layout, manifest, outside);
    const layerTarget = await moveOutside(layout, layer, outside);

    const summary = await rig.sync({ name: 'symlinked', upstream: new OciLayoutSource(layout) });

    expect(summary.result).toBe('partial');
    const failed = [...summary.failed].sort((a, b) => a.reference.localeCompare(b.reference));
    const relative = (digest: string) => path.join('blobs', 'sha256', digest.slice(7));
    expect(failed).toEqual([
      {
        repository: 'symlinked',
        reference: 'v1',
        code: 'LAYOUT_INVALID',
        message: `${relative(manifest)} resolves outside the layout: ${manifestTarget}`,
      },
      {
        repository: 'symlinked',
        reference: 'v2',
        // The layer belongs to v2's manifest, which the failure names.
        digest: generated.tags['v2'],
        code: 'LAYOUT_INVALID',
        message: `${relative(layer)} resolves outside the layout: ${layerTarget}`,
      },
    ]);
    expect((await rig.content('symlinked')).tags).toEqual({ v3: generated.tags['v3'] });
    await expect(rig.store.has(layer)).resolves.toBe(false);
  });

  it('follows symlinks that stay inside the layout, and a layout reached through one', async () => {
    const layout = await layoutAt('inner-links');
    const shared = path.join(layout, 'shared');
    for (const digest of [generated.tags['v1']!, generated.tags['v2']!]) {
      await moveOutside(layout, digest, shared);
    }
    const link = path.join(workDir, 'link-to-layout');
    await symlink(layout, link);

    const summary = await rig.sync({ name: 'inner', upstream: new OciLayoutSource(link) });

    expect(summary.failed).toEqual([]);
    expect(summary.result).toBe('success');
    expect((await rig.content('inner')).tags).toEqual(generated.tags);
  });
});
