import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateRepository, type Platform } from '../test/harness/image-generator';
import { writeOciLayout } from '../test/harness/write-oci-layout';

export const DEMO_REPOSITORY = 'demo/app';
export const DEMO_TAGS = ['1.0', '1.1', '2.0', 'latest'];
export const DEMO_PLATFORMS: Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
];

/**
 * Writes the demo's upstream, an OCI layout of a few multi-platform tags whose images share
 * layers, and a config that syncs it into `dataDir`. Generation is deterministic, so a second
 * run rewrites the same bytes and the second sync finds nothing new.
 */
export async function writeDemoRepository(
  dataDir: string,
): Promise<{ layout: string; config: string }> {
  const demoDir = path.join(dataDir, 'demo');
  const layout = path.join(demoDir, 'layout');
  const config = path.join(demoDir, 'config.yaml');

  const generated = await generateRepository({
    tags: DEMO_TAGS,
    platforms: DEMO_PLATFORMS,
    seed: 'container-sync demo',
  });
  await writeOciLayout(layout, generated);

  // Paths relative to the config file, so the directory can be moved and synced again by hand.
  const yaml = [
    '# Written by `npm run demo`; sync it again with',
    '#   node dist/src/cli/main.js sync --config <this file>',
    'data_dir: ..',
    'repositories:',
    `  - name: ${DEMO_REPOSITORY}`,
    '    upstream: oci-layout:./layout',
    '',
  ].join('\n');
  await mkdir(demoDir, { recursive: true });
  await writeFile(config, yaml);
  return { layout, config };
}
