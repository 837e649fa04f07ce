import { Blob } from '../../src/db/entities/blob';
import { Manifest } from '../../src/db/entities/manifest';
import { openCatalog } from '../../src/db/open-catalog';
import { upsertByKey } from '../../src/db/upsert';
import { type DatabaseKind, freshDatabase } from '../harness/database';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function manifestRow(d: string, layerBlobIds: string[]): Manifest {
  return Object.assign(new Manifest(), {
    digest: d,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    schemaVersion: 2,
    kind: 'image',
    data: Buffer.from('{}'),
    annotations: {},
    labels: {},
    architecture: null,
    os: null,
    artifactType: null,
    subjectDigest: null,
    compressedImageSize: 3,
    configBlobId: null,
    layerBlobIds,
    listEntries: [],
  });
}

describe.each<DatabaseKind>(['postgres', 'pglite'])('catalog on %s', (kind) => {
  it('upserts by key, hands back the right ids, and the subscriber links layers', async () => {
    const db = await freshDatabase(kind);
    const { catalog, close } = await openCatalog(db.options);
    try {
      const blob = (n: number) =>
        Object.assign(new Blob(), { digest: digest(n), size: n, mediaType: 'x' });
      const first = await catalog.transaction((m) =>
        upsertByKey(m, Blob, [blob(2)], { columns: ['digest'], of: (r) => r.digest }),
      );

      const second = await catalog.transaction((m) =>
        upsertByKey(m, Blob, [blob(3), blob(2), blob(1), blob(3)], {
          columns: ['digest'],
          of: (r) => r.digest,
        }),
      );
      await catalog.transaction((m) =>
        upsertByKey(
          m,
          Manifest,
          [manifestRow(digest(9), [second.get(digest(1))!, second.get(digest(3))!])],
          {
            columns: ['digest'],
            of: (r) => r.digest,
          },
        ),
      );

      expect(second.get(digest(2))).toBe(first.get(digest(2)));
      expect([...first.existed]).toEqual([]);
      expect([...second.existed]).toEqual([digest(2)]);
      const rows: Array<{ digest: string; id: string }> = await catalog.read((m) =>
        m.query('SELECT digest, id FROM blob ORDER BY digest'),
      );
      expect(rows.map((r) => r.digest)).toEqual([digest(1), digest(2), digest(3)]);
      for (const row of rows) expect(second.get(row.digest)).toBe(row.id);
      const links: Array<{ blob: string }> = await catalog.read((m) =>
        m.query(
          `SELECT b.digest AS blob FROM manifest_blob mb JOIN blob b ON b.id = mb.blob_id
           JOIN manifest m ON m.id = mb.manifest_id WHERE m.digest = $1 ORDER BY b.digest`,
          [digest(9)],
        ),
      );
      expect(links.map((l) => l.blob)).toEqual([digest(1), digest(3)]);
    } finally {
      await close();
      await db.drop();
    }
  });
});
