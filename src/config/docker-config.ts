import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Credentials } from '../registry/basic-auth';
import { canonicalRegistryHost } from './docker-hub';

/**
 * The part of Docker's `config.json` we read: `auths`, keyed by registry host (or by a URL such as
 * `https://index.docker.io/v1/`), each with a base64 `auth` of `user:password` or with `username`
 * and `password`. Other keys are ignored. Credential helpers (`credsStore`, `credHelpers`) would
 * mean running programs named in a file, which a config loader should not do.
 */
const DockerConfigSchema = z.object({
  auths: z
    .record(
      z.string(),
      z.object({
        auth: z.string().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
      }),
    )
    .optional(),
});

export type DockerAuths = NonNullable<z.output<typeof DockerConfigSchema>['auths']>;

/** Problems name the file but never quote it: it holds secrets. */
export type DockerConfigRead = { auths: DockerAuths } | { problem: string };

export async function readDockerConfig(file: string): Promise<DockerConfigRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    return { problem: `cannot read Docker config file ${file} (${reason})` };
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's own message can quote the text around the error.
    return { problem: `Docker config file ${file} is not valid JSON` };
  }
  const parsed = DockerConfigSchema.safeParse(json);
  if (!parsed.success) {
    return { problem: `Docker config file ${file} has auths entries that are not strings` };
  }
  return { auths: parsed.data.auths ?? {} };
}

/**
 * Credentials for a registry host, `undefined` when no entry names that host, or a problem when
 * the entry is there but unusable (typically `{}`, left by Docker when a helper stores the secret).
 */
export function findDockerCredentials(
  auths: DockerAuths,
  host: string,
  file: string,
): Credentials | { problem: string } | undefined {
  const wanted = canonicalRegistryHost(host);
  const match = Object.entries(auths).find(([key]) => hostOfKey(key) === wanted);
  if (match === undefined) return undefined;

  const [key, entry] = match;
  const where = `the auths entry ${JSON.stringify(key)} in ${file}`;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { problem: `${where} has an auth that is not base64 of user:password` };
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) {
    return { username: entry.username, password: entry.password };
  }
  return {
    problem: `${where} has no auth or username and password (credential helpers are not supported)`,
  };
}

/** `registry.example.com:5000`, `https://index.docker.io/v1/` and the like, as a bare host. */
function hostOfKey(key: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(key) ? key : `https://${key}`;
  try {
    return canonicalRegistryHost(new URL(url).host);
  } catch {
    return canonicalRegistryHost(key);
  }
}
