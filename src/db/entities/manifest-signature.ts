import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SignatureType } from '../../signatures/signature-types';

/**
 * A signature of a manifest: a simple-signing file (digest: sha256 of the file's bytes) or one
 * signature layer of a cosign `.sig` manifest (digest: that layer's).
 */
@Entity({ name: 'manifest_signature' })
export class ManifestSignature {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** `<manifest digest>@<signature digest hex, first 32>`, readable in listings. */
  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'varchar', length: 200, unique: true })
  digest!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: SignatureType;

  @Column({ name: 'key_id', type: 'varchar', length: 64, nullable: true })
  keyId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  creator!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  timestamp!: Date | null;

  @Column({ type: 'bytea' })
  data!: Buffer;

  @Column({ name: 'signed_manifest_id', type: 'uuid' })
  signedManifestId!: string;
}
