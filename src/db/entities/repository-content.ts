import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ContentType = 'blob' | 'manifest' | 'tag' | 'signature';

/**
 * Membership of one content row in a range of versions of a repository: present from
 * `versionAdded` up to, not including, `versionRemoved`. Version N holds the rows with
 * versionAdded <= N and (versionRemoved is null or versionRemoved > N).
 */
@Entity({ name: 'repository_content' })
export class RepositoryContent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'repository_id', type: 'uuid' })
  repositoryId!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 16 })
  contentType!: ContentType;

  @Column({ name: 'content_id', type: 'uuid' })
  contentId!: string;

  @Column({ name: 'version_added', type: 'int' })
  versionAdded!: number;

  @Column({ name: 'version_removed', type: 'int', nullable: true })
  versionRemoved!: number | null;
}
