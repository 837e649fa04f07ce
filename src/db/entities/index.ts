import { Blob } from './blob';
import { Manifest } from './manifest';
import { ManifestBlob } from './manifest-blob';
import { ManifestListManifest } from './manifest-list-manifest';
import { ManifestSignature } from './manifest-signature';
import { Repository } from './repository';
import { RepositoryContent } from './repository-content';
import { RepositoryVersion } from './repository-version';
import { SyncRun } from './sync-run';
import { Tag } from './tag';

export {
  Blob,
  Manifest,
  ManifestBlob,
  ManifestListManifest,
  ManifestSignature,
  Repository,
  RepositoryContent,
  RepositoryVersion,
  SyncRun,
  Tag,
};

export const ENTITIES = [
  Blob,
  Manifest,
  ManifestBlob,
  ManifestListManifest,
  ManifestSignature,
  Repository,
  RepositoryContent,
  RepositoryVersion,
  SyncRun,
  Tag,
];
