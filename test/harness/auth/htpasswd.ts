import { writeFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';

/**
 * Writes an htpasswd file for docker-registry's `auth: htpasswd` mode, which reads bcrypt
 * entries only. Cost 4, the lowest bcrypt allows: these passwords guard nothing.
 */
export async function writeHtpasswd(
  file: string,
  users: ReadonlyArray<{ username: string; password: string }>,
): Promise<void> {
  const lines = users.map(
    ({ username, password }) => `${username}:${bcrypt.hashSync(password, 4)}`,
  );
  await writeFile(file, `${lines.join('\n')}\n`);
}
