import { MANIFEST_ACCEPT } from '../../src/content/media-types';
import { WithHttp, createRegistryHttp, expectStatus } from './registry-http';

const defaultHttp = createRegistryHttp();

/**
 * Checks that `repo` has exactly the tags `expected` lists, each on the expected digest, as the
 * registry reports them: `tags/list`, then a HEAD per tag accepting every manifest type (a
 * narrower Accept makes the registry convert schema 2 to schema 1 and report another digest).
 * Throws one error listing every difference.
 */
export async function verifyTags(
  registryUrl: string,
  repo: string,
  expected: Record<string, string>,
  { http = defaultHttp }: WithHttp = {},
): Promise<void> {
  const problems: string[] = [];

  const list = await http.get(`${registryUrl}/v2/${repo}/tags/list`);
  expectStatus(list, [200], `list tags of ${repo}`);
  const body = JSON.parse(Buffer.from(list.data as Buffer).toString('utf8')) as {
    tags: string[] | null;
  };
  const actual = new Set(body.tags ?? []);
  for (const tag of actual) if (!(tag in expected)) problems.push(`unexpected tag ${tag}`);

  for (const [tag, digest] of Object.entries(expected)) {
    if (!actual.has(tag)) {
      problems.push(`missing tag ${tag}`);
      continue;
    }
    const head = await http.head(`${registryUrl}/v2/${repo}/manifests/${tag}`, {
      headers: { Accept: MANIFEST_ACCEPT.join(', ') },
    });
    const served = head.headers['docker-content-digest'] as string | undefined;
    if (head.status !== 200) problems.push(`tag ${tag}: HEAD answered ${head.status}`);
    else if (served !== digest) problems.push(`tag ${tag}: ${served}, expected ${digest}`);
  }

  if (problems.length > 0) {
    throw new Error(`${registryUrl}/v2/${repo} differs from expected:\n  ${problems.join('\n  ')}`);
  }
}
