import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ManifestKind } from '../../content/manifest-types';
import { bigintToNumber } from './bigint-transformer';
import { Blob } from './blob';

/** An image manifest, manifest list or index, with the document exactly as it was received. */
@Entity({ name: 'manifest' })
export class Manifest {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200, unique: true })
  digest!: string;

  @Column({ name: 'media_type', type: 'varchar', length: 255 })
  mediaType!: string;

  @Column({ name: 'schema_version', type: 'int' })
  schemaVersion!: number;

  @Column({ type: 'varchar', length: 32 })
  kind!: ManifestKind;

  @Column({ type: 'bytea' })
  data!: Buffer;

  @Column({ type: 'jsonb', default: {} })
  annotations!: Record<string, string>;

  @Column({ type: 'jsonb', default: {} })
  labels!: Record<string, string>;

  @Column({ type: 'varchar', length: 64, nullable: true })
  architecture!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  os!: string | null;

  @Column({ name: 'artifact_type', type: 'varchar', length: 255, nullable: true })
  artifactType!: string | null;

  @Column({ name: 'subject_digest', type: 'varchar', length: 200, nullable: true })
  subjectDigest!: string | null;

  /** Sum of the layer sizes, as registries report the compressed image size. */
  @Column({
    name: 'compressed_image_size',
    type: 'bigint',
    nullable: true,
    transformer: bigintToNumber,
  })
  compressedImageSize!: number | null;

  @ManyToOne(() => Blob, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'config_blob_id' })
  configBlob?: Blob | null;

  @Column({ name: 'config_blob_id', type: 'uuid', nullable: true })
  configBlobId!: string | null;

  /**
   * Not a column: what the join-row subscriber links after the insert. Layer blob ids for an
   * image manifest, child entries for a list.
   */
  layerBlobIds?: string[];
  listEntries?: ListEntryInput[];
}

export interface ListEntryInput {
  childId: string;
  architecture: string | null;
  os: string | null;
  osVersion: string | null;
  osFeatures: string[] | null;
  variant: string | null;
  features: string[] | null;
}
