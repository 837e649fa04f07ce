import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { configError, type ConfigProblem } from './config-problem';
import { ConfigFileSchema, type RepositoryEntry } from './config-schema';
import { createLoadContext, type Environment } from './load-context';
import { parseConfigYaml } from './parse-config-yaml';
import { dataDirProblem } from './path-problem';
import { resolveRepository } from './resolve-repository';
import type { RepositoryConfig, SyncConfig } from './sync-config';
import { problemsFromIssues } from './zod-problems';

/**
 * Reads, checks and resolves the config file. Every problem found is reported at once, in one
 * CONFIG_INVALID error with a line per problem (`file: field.path: what was expected`).
 * Credentials are read here, from the environment variables and Docker config files the config
 * names; no error message, data field or cause carries one.
 */
export async function loadConfig(
  file: string,
  env: Environment = process.env,
): Promise<SyncConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw configError(file, [{ path: [], message: `cannot read the config file (${reason})` }]);
  }

  const yaml = parseConfigYaml(text);
  if ('problems' in yaml) throw configError(file, yaml.problems);

  // The ZodError is not kept as a cause: with reportInput its issues hold the values written.
  const parsed = ConfigFileSchema.safeParse(yaml.value, { reportInput: true });
  if (!parsed.success) throw configError(file, problemsFromIssues(parsed.error.issues));

  const config = parsed.data;
  const sections = { defaults: config.defaults ?? {}, registries: config.registries ?? {} };
  const home = env['HOME'] || os.homedir();
  const ctx = createLoadContext(sections, path.dirname(absolute), env, home);

  // One at a time, so problems are listed in the order of the file.
  const repositories: RepositoryConfig[] = [];
  for (const [index, entry] of config.repositories.entries()) {
    const repository = await resolveRepository(entry, index, ctx);
    if (repository !== undefined) repositories.push(repository);
  }
  ctx.problems.push(...duplicateNames(config.repositories));
  const dataDir = ctx.resolvePath(config.data_dir ?? 'data');
  const dataDirIssue = config.data_dir === undefined ? undefined : await dataDirProblem(dataDir);
  if (dataDirIssue) ctx.problems.push({ path: ['data_dir'], message: dataDirIssue });
  if (ctx.problems.length > 0) throw configError(file, ctx.problems);

  return { file: absolute, dataDir, repositories };
}

/** Local names are where content is stored, so two entries with one name would overwrite. */
function duplicateNames(entries: readonly RepositoryEntry[]): ConfigProblem[] {
  const firstIndex = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  for (const [index, { name }] of entries.entries()) {
    const first = firstIndex.get(name);
    if (first === undefined) {
      firstIndex.set(name, index);
    } else {
      const message = `${JSON.stringify(name)} is already the name of repositories[${first}]`;
      problems.push({ path: ['repositories', index, 'name'], message });
    }
  }
  return problems;
}
