import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * on_demand policy: a layer can be cataloged without its bytes. `stored` says whether the blob
 * store holds the file; blob_source says where it can be fetched. Schema 1 layers carry no size,
 * so an undownloaded one has none.
 */
export class BlobSources1764790000000 implements MigrationInterface {
  name = 'BlobSources1764790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE blob ADD COLUMN stored boolean NOT NULL DEFAULT true`);
    await queryRunner.query(`ALTER TABLE blob ALTER COLUMN size DROP NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE blob_source (
        blob_id uuid NOT NULL REFERENCES blob (id) ON DELETE CASCADE,
        url varchar(2048) NOT NULL,
        PRIMARY KEY (blob_id, url)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE blob_source`);
    await queryRunner.query(`ALTER TABLE blob DROP COLUMN stored`);
  }
}
