import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory holding `config.yaml` and any other files a case needs. */
export async function writeConfig(yaml: string, files: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'config-spec-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, yaml);
  return { dir, file };
}
