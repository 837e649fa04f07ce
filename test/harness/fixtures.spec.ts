import axios from 'axios';
import { FIXTURE_REPOSITORIES, describeWithFixtures, loadExpected, pushFixture } from './fixtures';
import { RunningRegistry, startRegistry } from './registry';
import { verifyTags } from './verify-tags';

describeWithFixtures('pushFixture', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it.each(FIXTURE_REPOSITORIES)('pushes %s with every tag on its expected digest', async (name) => {
    const recorded = loadExpected(name);

    const expected = await pushFixture(registry.url, name);

    expect(expected.tags).toEqual(recorded.tags);
    expect(Object.keys(expected.tags).length).toBeGreaterThan(0);
  });

  it.each(FIXTURE_REPOSITORIES)('serves every blob expected/%s.json lists', async (name) => {
    const { blobs } = loadExpected(name);

    const statuses = await Promise.all(
      blobs.map(async (digest) => {
        const head = await axios.head(`${registry.url}/v2/${name}/blobs/${digest}`, {
          validateStatus: () => true,
        });
        return head.status;
      }),
    );

    expect(statuses).toEqual(blobs.map(() => 200));
  });

  it('loadExpected reads as many tags as the fixtures README names', () => {
    const tagCounts = FIXTURE_REPOSITORIES.map(
      (name) => Object.keys(loadExpected(name).tags).length,
    );

    expect(tagCounts).toEqual([24, 3, 6, 2, 1, 1, 1]);
  });

  it('pushes under another, deeper repository name', async () => {
    const expected = await pushFixture(registry.url, 'schema1', { as: 'upstream/team/schema1' });

    expect(expected.tags).toEqual({
      latest: 'sha256:3b93a98785ed46f9fa9fefd53127c3fa91e1d0314f90c00d8fb9b8d7448ec1ad',
    });
  });

  it('refuses a registry whose tags differ from expected, naming each difference', async () => {
    await pushFixture(registry.url, 'schema2', { as: 'mismatch/schema2' });
    const wrong = {
      latest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
      absent: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
    };

    const verifying = verifyTags(registry.url, 'mismatch/schema2', wrong);

    await expect(verifying).rejects.toThrow(
      /tag latest: sha256:0d02cf74[0-9a-f]+, expected sha256:0{64}\n {2}missing tag absent/,
    );
  });
});
