import { InitialCatalog1764780000000 } from './1764780000000-initial-catalog';
import { BlobSources1764790000000 } from './1764790000000-blob-sources';
import { ManifestSignatures1764800000000 } from './1764800000000-manifest-signatures';
import { SyncEpoch1764812000000 } from './1764812000000-sync-epoch';

/** Every migration, oldest first; the schema comes from here, never from `synchronize`. */
export const MIGRATIONS = [
  InitialCatalog1764780000000,
  BlobSources1764790000000,
  ManifestSignatures1764800000000,
  SyncEpoch1764812000000,
];
