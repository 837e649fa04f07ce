import { Mutex } from 'async-mutex';
import type { DataSource, EntityManager } from 'typeorm';
import { Manifest } from './entities/manifest';
import { Repository } from './entities/repository';

/**
 * The one door to the database. On real Postgres every call gets a pooled connection; the
 * embedded PGlite has a single session for the whole process (typeorm-pglite shares it between
 * query runners), so there every unit of work waits its turn on one queue, or two transactions
 * would interleave on the same session.
 */
export class Catalog {
  private readonly queue: Mutex | undefined;

  constructor(
    readonly dataSource: DataSource,
    options: { serialize: boolean },
  ) {
    this.queue = options.serialize ? new Mutex() : undefined;
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(work));
  }

  /** Runs reads outside a transaction. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.dataSource.manager));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.runExclusive(work) : work();
  }

  /** Manifests already in the catalog, by digest: these are never fetched again. */
  async knownManifests(digests: string[]): Promise<Map<string, Manifest>> {
    if (digests.length === 0) return new Map();
    const rows = await this.read((m) =>
      m
        .createQueryBuilder(Manifest, 'm')
        .select(['m.id', 'm.digest', 'm.mediaType', 'm.kind'])
        .where('m.digest IN (:...digests)', { digests })
        .getMany(),
    );
    return new Map(rows.map((row) => [row.digest, row]));
  }

  /** Whether the catalog holds no manifest at all (a first sync into a new database). */
  async hasNoManifests(): Promise<boolean> {
    const rows: Array<{ empty: boolean }> = await this.read((m) =>
      m.query('SELECT NOT EXISTS (SELECT 1 FROM manifest) AS empty'),
    );
    return rows[0]?.empty === true;
  }

  /** Child digests of a list the catalog has. */
  async childDigests(listDigest: string): Promise<string[]> {
    const rows: Array<{ digest: string }> = await this.read((m) =>
      m.query(
        `SELECT c.digest FROM manifest l
           JOIN manifest_list_manifest e ON e.list_id = l.id
           JOIN manifest c ON c.id = e.child_id
          WHERE l.digest = $1 ORDER BY c.digest`,
        [listDigest],
      ),
    );
    return rows.map((r) => r.digest);
  }

  /** Digests of the manifests in the latest version of a repository. */
  async liveManifestDigests(repositoryId: string): Promise<string[]> {
    const rows: Array<{ digest: string }> = await this.read((m) =>
      m.query(
        `SELECT m.digest FROM repository_content rc JOIN manifest m ON m.id = rc.content_id
          WHERE rc.repository_id = $1 AND rc.content_type = 'manifest'
            AND rc.version_removed IS NULL`,
        [repositoryId],
      ),
    );
    return rows.map((r) => r.digest);
  }

  /** Every manifest reached from these digests through lists, themselves included. */
  async reachableDigests(digests: string[]): Promise<string[]> {
    if (digests.length === 0) return [];
    const rows: Array<{ digest: string }> = await this.read((m) =>
      m.query(
        `WITH RECURSIVE reached (id) AS (
           SELECT id FROM manifest WHERE digest = ANY($1::varchar[])
           UNION
           SELECT e.child_id FROM manifest_list_manifest e JOIN reached r ON e.list_id = r.id
         )
         SELECT m.digest FROM manifest m JOIN reached r ON r.id = m.id`,
        [digests],
      ),
    );
    return rows.map((r) => r.digest);
  }

  async ensureRepository(name: string): Promise<Repository> {
    return this.transaction(async (m) => {
      await m
        .createQueryBuilder()
        .insert()
        .into(Repository)
        .values({ name })
        .orIgnore()
        .updateEntity(false)
        .execute();
      return m.findOneByOrFail(Repository, { name });
    });
  }
}
