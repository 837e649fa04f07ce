import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The catalog: content (blob, manifest, tag), its join rows, repositories and their versions. */
export class InitialCatalog1764780000000 implements MigrationInterface {
  name = 'InitialCatalog1764780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE blob (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        digest varchar(200) NOT NULL UNIQUE,
        size bigint NOT NULL,
        media_type varchar(255) NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE manifest (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        digest varchar(200) NOT NULL UNIQUE,
        media_type varchar(255) NOT NULL,
        schema_version int NOT NULL,
        kind varchar(32) NOT NULL,
        data bytea NOT NULL,
        annotations jsonb NOT NULL DEFAULT '{}',
        labels jsonb NOT NULL DEFAULT '{}',
        architecture varchar(64),
        os varchar(64),
        artifact_type varchar(255),
        subject_digest varchar(200),
        compressed_image_size bigint,
        config_blob_id uuid REFERENCES blob (id) ON DELETE RESTRICT
      )`);
    await queryRunner.query(`
      CREATE TABLE manifest_blob (
        manifest_id uuid NOT NULL REFERENCES manifest (id) ON DELETE CASCADE,
        blob_id uuid NOT NULL REFERENCES blob (id) ON DELETE RESTRICT,
        PRIMARY KEY (manifest_id, blob_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE manifest_list_manifest (
        list_id uuid NOT NULL REFERENCES manifest (id) ON DELETE CASCADE,
        child_id uuid NOT NULL REFERENCES manifest (id) ON DELETE RESTRICT,
        architecture varchar(64),
        os varchar(64),
        os_version varchar(255),
        os_features jsonb,
        variant varchar(64),
        features jsonb,
        PRIMARY KEY (list_id, child_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE tag (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL,
        manifest_id uuid NOT NULL REFERENCES manifest (id) ON DELETE RESTRICT,
        UNIQUE (name, manifest_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE repository (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE sync_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        repository_id uuid NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        result varchar(16) NOT NULL,
        counts jsonb NOT NULL DEFAULT '{}',
        error jsonb,
        version_number int
      )`);
    await queryRunner.query(`
      CREATE TABLE repository_version (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        repository_id uuid NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
        number int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sync_run_id uuid REFERENCES sync_run (id) ON DELETE SET NULL,
        UNIQUE (repository_id, number)
      )`);
    await queryRunner.query(`
      CREATE TABLE repository_content (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        repository_id uuid NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
        content_type varchar(16) NOT NULL,
        content_id uuid NOT NULL,
        version_added int NOT NULL,
        version_removed int
      )`);
    // One live membership per content row; history rows (version_removed set) may repeat.
    await queryRunner.query(`
      CREATE UNIQUE INDEX repository_content_live
        ON repository_content (repository_id, content_type, content_id)
        WHERE version_removed IS NULL`);
    await queryRunner.query(`
      CREATE INDEX repository_content_versions
        ON repository_content (repository_id, version_added, version_removed)`);
    await queryRunner.query(`CREATE INDEX manifest_blob_blob ON manifest_blob (blob_id)`);
    await queryRunner.query(
      `CREATE INDEX manifest_list_manifest_child ON manifest_list_manifest (child_id)`,
    );
    await queryRunner.query(`CREATE INDEX sync_run_repository ON sync_run (repository_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'repository_content',
      'repository_version',
      'sync_run',
      'repository',
      'tag',
      'manifest_list_manifest',
      'manifest_blob',
      'manifest',
      'blob',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
