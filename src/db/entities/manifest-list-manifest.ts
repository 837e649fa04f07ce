import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A list or index entry: list to child manifest, with the entry's platform. */
@Entity({ name: 'manifest_list_manifest' })
export class ManifestListManifest {
  @PrimaryColumn({ name: 'list_id', type: 'uuid' })
  listId!: string;

  @PrimaryColumn({ name: 'child_id', type: 'uuid' })
  childId!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  architecture!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  os!: string | null;

  @Column({ name: 'os_version', type: 'varchar', length: 255, nullable: true })
  osVersion!: string | null;

  @Column({ name: 'os_features', type: 'jsonb', nullable: true })
  osFeatures!: string[] | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  variant!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  features!: string[] | null;
}
