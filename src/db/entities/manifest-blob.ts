import { Entity, PrimaryColumn } from 'typeorm';

/** Manifest to layer blob; each pair once even when a manifest lists a layer twice. */
@Entity({ name: 'manifest_blob' })
export class ManifestBlob {
  @PrimaryColumn({ name: 'manifest_id', type: 'uuid' })
  manifestId!: string;

  @PrimaryColumn({ name: 'blob_id', type: 'uuid' })
  blobId!: string;
}
