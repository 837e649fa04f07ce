import path from 'node:path';
import { OciLayoutSource } from '../../src/registry/oci-layout-source';
import { expectCatalogMatches } from '../harness/expect-catalog';
import { describeWithFixtures, loadExpected, SHARED_FIXTURES } from '../harness/fixtures';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';

/** The layouts of ../shared/fixtures that carry `ref.name` tags, and what each must sync to. */
const TAGGED_LAYOUTS = [
  { layout: 'regclient-testrepo', expected: 'testrepo' },
  { layout: 'regclient-external', expected: 'external' },
] as const;

describeWithFixtures('OCI layout source', () => {
  let rig: SyncRig;

  beforeAll(async () => {
    rig = await createSyncRig('pglite');
  });

  afterAll(async () => {
    await rig?.close();
  });

  it.each(TAGGED_LAYOUTS)('$layout syncs to expected/$expected', async ({ layout, expected }) => {
    const upstream = new OciLayoutSource(path.join(SHARED_FIXTURES, 'layouts', layout));

    const summary = await rig.sync({ name: layout, upstream });

    expect(summary.failed).toEqual([]);
    expect(summary.result).toBe('success');
    expectCatalogMatches(await rig.content(layout), loadExpected(expected));
  });

  it('reads a layout without tags as an empty repository', async () => {
    const upstream = new OciLayoutSource(
      path.join(SHARED_FIXTURES, 'layouts/ocmirror-single-arch'),
    );

    const summary = await rig.sync({ name: 'untagged', upstream });

    expect(summary).toMatchObject({ result: 'success', version: null, tags: 0 });
  });

  it('names the layout when its index.json is missing', async () => {
    const upstream = new OciLayoutSource(path.join(SHARED_FIXTURES, 'layouts/no-such-layout'));

    const summary = await rig.sync({ name: 'missing', upstream });

    expect(summary.result).toBe('failed');
    expect(summary.error).toMatchObject({
      code: 'LAYOUT_INVALID',
      message: 'cannot read index.json as JSON',
      file: path.join(SHARED_FIXTURES, 'layouts/no-such-layout/index.json'),
    });
  });
});
