import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExpectedRepository, expectedRepositorySchema } from './expected-repository';
import { pushOciLayout } from './push-oci-layout';
import { pushSkopeoDir } from './push-skopeo-dir';
import { verifyTags } from './verify-tags';

export { ExpectedRepository } from './expected-repository';

/** Real test data beside the project root; a user's own clone does not have it. */
export const SHARED_FIXTURES = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures');

/** The repositories of the fixtures README's table, each pushed as that table says. */
export const FIXTURE_REPOSITORIES = [
  'testrepo',
  'external',
  'multi-platform',
  'single-arch',
  'docker-list',
  'schema1',
  'schema2',
] as const;

export type FixtureRepository = (typeof FIXTURE_REPOSITORIES)[number];

export function haveSharedFixtures(): boolean {
  return existsSync(join(SHARED_FIXTURES, 'expected'));
}

/**
 * `describe` when the shared fixtures are present; otherwise `describe.skip` with a warning, so
 * a run without them says what it did not test instead of passing quietly.
 */
export function describeWithFixtures(name: string, fn: () => void): void {
  if (haveSharedFixtures()) {
    describe(name, fn);
    return;
  }
  // Straight to stderr: jest drops console output of a file whose tests all skip.
  process.stderr.write(
    `\n*** SKIPPED "${name}": these tests need ${SHARED_FIXTURES} (../shared/fixtures), ` +
      'which this clone does not have ***\n',
  );
  describe.skip(name, fn);
}

/** expected/<repository>.json, validated. */
export function loadExpected(repository: FixtureRepository): ExpectedRepository {
  const file = join(SHARED_FIXTURES, 'expected', `${repository}.json`);
  return expectedRepositorySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

const layout = (name: string) => join(SHARED_FIXTURES, 'layouts', name);
const skopeoDir = (name: string) => join(SHARED_FIXTURES, 'dirs', name);
const SIG_FOLDER = /^sha256-([a-f0-9]{64})-sig$/;

/** Signature layouts take the tag cosign gives them: the signed digest, `:` made `-`, `.sig`. */
const sigTag = (hex: string) => `sha256-${hex}.sig`;

type PushPlan = (registryUrl: string, repo: string) => Promise<unknown>;

/** How the fixtures README says each repository was pushed when `expected/` was recorded. */
const PUSH_PLANS: Record<FixtureRepository, PushPlan> = {
  testrepo: (url, repo) => pushOciLayout(url, repo, layout('regclient-testrepo')),
  external: (url, repo) => pushOciLayout(url, repo, layout('regclient-external')),
  'multi-platform': async (url, repo) => {
    await pushOciLayout(url, repo, layout('ocmirror-multi-platform'), { defaultTag: 'latest' });
    const sigs = layout('ocmirror-multi-platform-sigs');
    for (const folder of (await readdir(sigs)).sort()) {
      const hex = SIG_FOLDER.exec(folder)?.[1];
      if (hex === undefined) continue;
      await pushOciLayout(url, repo, join(sigs, folder), { defaultTag: sigTag(hex) });
    }
  },
  'single-arch': async (url, repo) => {
    const image = await pushOciLayout(url, repo, layout('ocmirror-single-arch'), {
      defaultTag: 'latest',
    });
    const signed = image.refs[0]?.digest;
    if (signed === undefined) throw new Error('ocmirror-single-arch has no image to sign');
    await pushOciLayout(url, repo, layout('ocmirror-single-arch-sig'), {
      defaultTag: sigTag(signed.replace(/^sha256:/, '')),
    });
  },
  'docker-list': (url, repo) =>
    pushOciLayout(url, repo, layout('ocmirror-docker-manifestlist/layout'), {
      defaultTag: 'latest',
    }),
  schema1: (url, repo) => pushSkopeoDir(url, repo, skopeoDir('skopeo-schema1-signed'), 'latest'),
  schema2: (url, repo) => pushSkopeoDir(url, repo, skopeoDir('skopeo-schema2'), 'latest'),
};

export interface PushFixtureOptions {
  /** Another repository name to push under, e.g. `upstream/team/testrepo`. */
  as?: string;
}

/**
 * Pushes one fixture repository to a registry, then checks every tag against
 * expected/<repository>.json and throws if any differs, so a passing push proves the harness
 * reproduced what `expected/` was recorded from. Resolves with that expected content.
 */
export async function pushFixture(
  registryUrl: string,
  repository: FixtureRepository,
  options: PushFixtureOptions = {},
): Promise<ExpectedRepository> {
  if (!haveSharedFixtures()) {
    throw new Error(`pushFixture(${repository}) needs ${SHARED_FIXTURES}, which is missing`);
  }
  const repo = options.as ?? repository;
  const expected = loadExpected(repository);

  await PUSH_PLANS[repository](registryUrl, repo);

  await verifyTags(registryUrl, repo, expected.tags);
  return expected;
}
