import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Signatures of manifests, content of repository versions like tags. */
export class ManifestSignatures1764800000000 implements MigrationInterface {
  name = 'ManifestSignatures1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE manifest_signature (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL,
        digest varchar(200) NOT NULL UNIQUE,
        type varchar(32) NOT NULL,
        key_id varchar(64),
        creator varchar(255),
        timestamp timestamptz,
        data bytea NOT NULL,
        signed_manifest_id uuid NOT NULL REFERENCES manifest (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX manifest_signature_manifest ON manifest_signature (signed_manifest_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE manifest_signature`);
  }
}
