import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fencing token per repository: bumped each time a process takes the repository's sync lock.
 * A holder whose lock connection broke finds out, when it takes the lock again, whether another
 * process held it in between (see RepositoryLock).
 */
export class SyncEpoch1764812000000 implements MigrationInterface {
  name = 'SyncEpoch1764812000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE repository ADD COLUMN sync_epoch bigint NOT NULL DEFAULT 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE repository DROP COLUMN sync_epoch`);
  }
}
