import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'repository_version' })
@Index(['repositoryId', 'number'], { unique: true })
export class RepositoryVersion {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'repository_id', type: 'uuid' })
  repositoryId!: string;

  @Column({ type: 'int' })
  number!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sync_run_id', type: 'uuid', nullable: true })
  syncRunId!: string | null;
}
