import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `abandoned`: found `running` by a later sync; its end was never recorded. */
export type SyncResult = 'running' | 'success' | 'failed' | 'partial' | 'interrupted' | 'abandoned';

@Entity({ name: 'sync_run' })
export class SyncRun {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'repository_id', type: 'uuid' })
  repositoryId!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'varchar', length: 16 })
  result!: SyncResult;

  @Column({ type: 'jsonb', default: {} })
  counts!: Record<string, number>;

  @Column({ type: 'jsonb', nullable: true })
  error!: Record<string, unknown> | null;

  @Column({ name: 'version_number', type: 'int', nullable: true })
  versionNumber!: number | null;
}
