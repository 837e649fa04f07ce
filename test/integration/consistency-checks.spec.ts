import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from 'typeorm';
import { checkCatalog } from '../../src/db/consistency-checks';
import { checkStore } from '../../src/db/store-checks';
import { OciLayoutSource } from '../../src/registry/oci-layout-source';
import { CHECK_NAMES, inconsistencies } from '../harness/check-consistency';
import type { DatabaseKind } from '../harness/database';
import { generateRepository, type GeneratedRepository } from '../harness/image-generator';
import { createSyncRig, type SyncRig } from '../harness/sync-rig';
import { writeOciLayout } from '../harness/write-oci-layout';

/**
 * The consistency checks can fail: a synced catalog is broken on purpose, one way per check, and
 * the named check (and only the checks that must) reports the exact row or file. Catalog damage
 * is done inside a transaction that is rolled back, foreign keys switched off where a join row
 * must lose an end; store damage is undone after each case.
 */

const REPOSITORY = 'checks/app';

type Found = Record<string, string[]>;

/** Ids and digests of the synced repository that the cases break. */
interface Subject {
  repositoryId: string;
  list: { digest: string; id: string };
  image: { digest: string; id: string };
  config: { digest: string; id: string };
  /** The image's own layer, used by no other manifest. */
  ownLayer: { digest: string; id: string };
  runId: string;
}

let layoutDir: string;
let generated: GeneratedRepository;

beforeAll(async () => {
  layoutDir = await mkdtemp(path.join(os.tmpdir(), 'cs-checks-'));
  generated = await generateRepository({
    tags: ['app'],
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    seed: 'consistency checks',
  });
  await writeOciLayout(layoutDir, generated);
});

afterAll(async () => {
  if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
});

describe.each(['postgres', 'pglite'] as DatabaseKind[])('consistency checks on %s', (kind) => {
  let rig: SyncRig;
  let subject: Subject;
  const fired = new Set<string>();

  beforeAll(async () => {
    rig = await createSyncRig(kind);
    const summary = await rig.sync({ name: REPOSITORY, upstream: new OciLayoutSource(layoutDir) });
    expect(summary).toMatchObject({ result: 'success', version: 1 });
    subject = await rig.catalog.read((m) => readSubject(m, generated));
  });

  afterAll(async () => {
    await rig?.close();
  });

  /** Breaks the catalog in a transaction, runs the catalog checks in it, rolls it back. */
  async function foundAfter(
    damage: (m: EntityManager, s: Subject) => Promise<unknown>,
  ): Promise<Found> {
    const rollback = new Error('rollback');
    let found: Found = {};
    await rig.catalog
      .transaction(async (m) => {
        await damage(m, subject);
        found = nonEmpty(await checkCatalog(m));
        throw rollback;
      })
      .catch((err: unknown) => {
        if (err !== rollback) throw err;
      });
    for (const name of Object.keys(found)) fired.add(name);
    return found;
  }

  it('finds nothing in the catalog and store a sync left', async () => {
    expect(await inconsistencies(rig.catalog, rig.store)).toEqual({});
  });

  it('manifestWithoutConfig: an image manifest whose config link is gone', async () => {
    const found = await foundAfter((m, s) =>
      m.query('UPDATE manifest SET config_blob_id = NULL WHERE id = $1', [s.image.id]),
    );

    expect(found).toEqual({ manifestWithoutConfig: [subject.image.digest] });
  });

  it('manifestMissingLayers: an image manifest without the join row of one layer', async () => {
    const found = await foundAfter((m, s) =>
      m.query('DELETE FROM manifest_blob WHERE manifest_id = $1 AND blob_id = $2', [
        s.image.id,
        s.ownLayer.id,
      ]),
    );

    expect(found).toEqual({ manifestMissingLayers: [subject.image.digest] });
  });

  it('unstoredBlobWithoutSource: a blob not in the store that says nowhere else it is', async () => {
    const found = await foundAfter((m, s) =>
      m.query('UPDATE blob SET stored = false WHERE id = $1', [s.ownLayer.id]),
    );

    expect(found).toEqual({ unstoredBlobWithoutSource: [subject.ownLayer.digest] });
  });

  it('listMissingChildren: a list without the join row of one child', async () => {
    const found = await foundAfter((m, s) =>
      m.query('DELETE FROM manifest_list_manifest WHERE list_id = $1 AND child_id = $2', [
        s.list.id,
        s.image.id,
      ]),
    );

    expect(found).toEqual({ listMissingChildren: [subject.list.digest] });
  });

  it('joinRowMissingEnd: a blob row gone from under its join and content rows', async () => {
    const found = await foundAfter(async (m, s) => {
      // Foreign keys would refuse this: turned off for this transaction only.
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query('DELETE FROM blob WHERE id = $1', [s.ownLayer.id]);
    });

    expect(found).toEqual({
      joinRowMissingEnd: [
        `manifest_blob ${subject.image.id} ${subject.ownLayer.id}`,
        `repository_content blob:${subject.ownLayer.id}`,
      ],
    });
  });

  it('liveContentNotClosed: a version holding an image but not its config', async () => {
    const found = await foundAfter((m, s) =>
      m.query(`DELETE FROM repository_content WHERE content_type = 'blob' AND content_id = $1`, [
        s.config.id,
      ]),
    );

    expect(found).toEqual({
      liveContentNotClosed: [
        `${REPOSITORY} manifest:${subject.image.digest} without blob:${subject.config.id}`,
      ],
    });
  });

  it('versionWithoutContentChange: a version row that added and removed nothing', async () => {
    const found = await foundAfter((m, s) =>
      m.query('INSERT INTO repository_version (repository_id, number) VALUES ($1, 2)', [
        s.repositoryId,
      ]),
    );

    expect(found).toEqual({ versionWithoutContentChange: [`${REPOSITORY} v2`] });
  });

  it('contentOfMissingVersion: a content row removed by a version that does not exist', async () => {
    const found = await foundAfter((m) =>
      m.query(`UPDATE repository_content SET version_removed = 5 WHERE content_type = 'tag'`),
    );

    expect(found).toEqual({ contentOfMissingVersion: [`${REPOSITORY} v5`] });
  });

  it('duplicateLiveContent: one manifest live twice in the version', async () => {
    const found = await foundAfter(async (m, s) => {
      await m.query('DROP INDEX repository_content_live');
      await m.query(
        `INSERT INTO repository_content (repository_id, content_type, content_id, version_added)
         VALUES ($1, 'manifest', $2, 1)`,
        [s.repositoryId, s.image.id],
      );
    });

    expect(found).toEqual({ duplicateLiveContent: [`manifest:${subject.image.id}`] });
  });

  it('runWithoutItsVersion: a run recorded as making v1 whose version row is gone', async () => {
    const found = await foundAfter((m, s) =>
      m.query('DELETE FROM repository_version WHERE repository_id = $1', [s.repositoryId]),
    );

    // The content rows of the lost version are found too: half a version is still half made.
    expect(found).toEqual({
      runWithoutItsVersion: [`${REPOSITORY} run ${subject.runId} v1`],
      contentOfMissingVersion: [`${REPOSITORY} v1`],
    });
  });

  it('versionOfUnendedRun: a version whose run never recorded its end', async () => {
    const found = await foundAfter((m, s) =>
      m.query(
        `UPDATE sync_run SET result = 'running', ended_at = NULL, version_number = NULL
          WHERE id = $1`,
        [s.runId],
      ),
    );

    expect(found).toEqual({ versionOfUnendedRun: [`${REPOSITORY} v1`] });
  });

  it('runLeftRunning: a run still running though a later run of the repository started', async () => {
    let stale = '';
    const found = await foundAfter(async (m, s) => {
      const rows: Array<{ id: string }> = await m.query(
        `INSERT INTO sync_run (repository_id, started_at, result)
         VALUES ($1, now() - interval '1 day', 'running') RETURNING id`,
        [s.repositoryId],
      );
      stale = rows[0]!.id;
    });

    expect(found).toEqual({ runLeftRunning: [`${REPOSITORY} run ${stale}`] });
  });

  describe('the store', () => {
    const blobFile = (digest: string) => rig.store.pathOf(digest);

    async function storeFound(): Promise<Found> {
      const found = nonEmpty(await checkStore(rig.catalog, rig.store));
      for (const name of Object.keys(found)) fired.add(name);
      return found;
    }

    it('storedBlobFileMissing: a stored blob whose file is gone', async () => {
      const file = blobFile(subject.ownLayer.digest);
      // Out of blobs/, or it would be a stray file there.
      const away = path.join(rig.store.root, 'away');
      await rename(file, away);
      try {
        expect(await storeFound()).toEqual({ storedBlobFileMissing: [subject.ownLayer.digest] });
      } finally {
        await rename(away, file);
      }
    });

    it('storedBlobFileWrong and partialFileVisible: a stored blob whose bytes changed', async () => {
      const file = blobFile(subject.config.digest);
      const bytes = await readFile(file);
      await writeFile(file, bytes.subarray(0, bytes.length - 1));
      try {
        expect(await storeFound()).toEqual({
          storedBlobFileWrong: [subject.config.digest],
          partialFileVisible: [subject.config.digest],
        });
      } finally {
        await writeFile(file, bytes);
      }
    });

    it('partialFileVisible: half a blob the catalog does not know, named by its digest', async () => {
      const digest = `sha256:${'ab'.repeat(32)}`;
      await writeFile(blobFile(digest), 'half of something');
      try {
        expect(await storeFound()).toEqual({ partialFileVisible: [digest] });
      } finally {
        await rm(blobFile(digest));
      }
    });

    it('leaves alone a partial file in the temp dir, where downloads write', async () => {
      const temp = path.join(rig.store.root, 'tmp');
      await mkdir(temp, { recursive: true });
      await writeFile(path.join(temp, 'sha256-interrupted'), 'half of something');
      try {
        expect(await storeFound()).toEqual({});
      } finally {
        await rm(path.join(temp, 'sha256-interrupted'));
      }
    });
  });

  // Last, after every case above ran: none of the checks is there only to pass.
  it('made every named check fire', () => {
    expect(CHECK_NAMES.filter((name) => !fired.has(name))).toEqual([]);
  });
});

function nonEmpty(found: Record<string, string[]>): Found {
  return Object.fromEntries(Object.entries(found).filter(([, keys]) => keys.length > 0));
}

async function readSubject(m: EntityManager, generated: GeneratedRepository): Promise<Subject> {
  const listDigest = generated.tags['app']!;
  const imageDigest = generated.children['app']![0]!;
  const image = JSON.parse(generated.manifests.get(imageDigest)!.bytes.toString()) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  const idOf = async (table: string, digest: string) => {
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM ${table} WHERE digest = $1`, [
      digest,
    ]);
    return { digest, id: rows[0]!.id };
  };
  const [repository] = (await m.query(`SELECT id FROM repository WHERE name = $1`, [
    REPOSITORY,
  ])) as Array<{ id: string }>;
  const [run] = (await m.query(`SELECT id FROM sync_run`)) as Array<{ id: string }>;
  return {
    repositoryId: repository!.id,
    list: await idOf('manifest', listDigest),
    image: await idOf('manifest', imageDigest),
    config: await idOf('blob', image.config.digest),
    ownLayer: await idOf('blob', image.layers.at(-1)!.digest),
    runId: run!.id,
  };
}
