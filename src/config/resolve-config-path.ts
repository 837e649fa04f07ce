import path from 'node:path';

/**
 * A path from the config file, made absolute. Relative paths are taken from the config file's
 * directory, not the working directory, so the same file works wherever the daemon is started.
 * `~` and `~/...` name the home directory; `~user` is not expanded.
 */
export function resolveConfigPath(value: string, baseDir: string, home: string): string {
  if (value === '~') return home;
  if (value.startsWith('~/')) return path.join(home, value.slice(2));
  return path.resolve(baseDir, value);
}
