import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { manifestDigest } from '../../../src/content/manifest-digest';
import { describeWithFixtures, SHARED_FIXTURES } from '../../harness/fixtures';

/** The fixtures README's signatures/ folder, and its cosign/ part. */
export const SIGNATURES = join(SHARED_FIXTURES, 'signatures');
export const COSIGN = join(SIGNATURES, 'cosign');
export const LAYOUTS = join(SHARED_FIXTURES, 'layouts');

/** The signature suites skip, loudly, where ../shared/fixtures is absent, like every other. */
export const describeWithSignatures = describeWithFixtures;

export function signatureFile(...path: string[]): Buffer {
  return readFileSync(join(SIGNATURES, ...path));
}

/** A `dir-img-*` folder as skopeo writes it: the manifest's digest and its signature files. */
export function readDirImage(folder: string) {
  const manifest = readFileSync(join(folder, 'manifest.json'));
  const signatures = readdirSync(folder)
    .filter((name) => /^signature-\d+$/.test(name))
    .sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)))
    .map((name) => ({ name, bytes: readFileSync(join(folder, name)) }));
  return { manifestDigest: manifestDigest(manifest), signatures };
}
