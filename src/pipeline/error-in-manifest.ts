import { type SyncError, toSyncError } from '../errors';

/**
 * Names the document an error met while syncing `manifest` is about, so a failure report says
 * which document was bad and where it hangs: `digest` is the manifest itself when the error
 * names no document, and otherwise the blob or child it names, with `manifest` set to this
 * manifest. The innermost manifest wins: an error coming up through a list already names the
 * image its blob belongs to.
 */
export function errorInManifest(err: unknown, manifest: string): SyncError {
  const error = toSyncError(err, 'INTERNAL', { digest: manifest });
  const { digest } = error.data;
  if (digest === undefined) return error.with({ digest: manifest });
  if (digest === manifest || error.data.manifest !== undefined) return error;
  return error.with({ manifest });
}
