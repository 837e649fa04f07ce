import { z } from 'zod';
import { isDigest } from '../content/digest';
import { isRepositoryName } from '../registry/reference';
import { describeValue } from './describe-value';
import { DURATION_EXPECTED, parseDuration } from './duration';
import { LITERAL_SECRET_HINT } from './literal-secret';
import { parseRegistryUrl } from './registry-url';

/*
 * The YAML config file as written; config.example.yaml shows every key. Objects are strict, so a
 * misspelt key fails loudly instead of leaving a setting at its default. Rules that span fields
 * (upstream names, unique names, environment variables, files) are applied by loadConfig.
 *
 * Checks here add `custom` issues whose message is complete: it says what was expected and quotes
 * what was written, except for credentials, whose values are never quoted.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REGISTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A string accepted when `problemOf` finds nothing wrong with it. */
function checkedString(problemOf: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}

const PathSchema = checkedString((v) => (v === '' ? 'expected a path, got ""' : undefined));

const EnvNameSchema = checkedString((v) =>
  ENV_NAME.test(v) ? undefined : 'expected an environment variable name (letters, digits and _)',
);

const PositiveIntegerSchema = z.number().superRefine((value, ctx) => {
  if (Number.isInteger(value) && value >= 1) return;
  ctx.addIssue({ code: 'custom', message: `expected a whole number of at least 1, got ${value}` });
});

/** Parsed to milliseconds here, so everything after the schema sees one unit. */
const DurationSchema = z.unknown().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms !== undefined) return ms;
  ctx.addIssue({ code: 'custom', message: `${DURATION_EXPECTED}, got ${describeValue(value)}` });
  return z.NEVER;
});

const RegistryUrlSchema = z.string().transform((value, ctx) => {
  const parsed = parseRegistryUrl(value);
  if (!('problem' in parsed)) return parsed;
  ctx.addIssue({ code: 'custom', message: parsed.problem });
  return z.NEVER;
});

const RepositoryNameSchema = checkedString((v) =>
  isRepositoryName(v)
    ? undefined
    : 'expected a repository name (lowercase letters and digits, separated by ".", "_", "__", ' +
      `"-" or "/"), got ${describeValue(v)}`,
);

/** Tags cannot hold ":", so an include with one can only be meant as a digest. */
const IncludePatternSchema = checkedString((v) => {
  if (v.includes(':') && !isDigest(v)) {
    return `expected a digest such as sha256:<64 lowercase hex digits>, got ${describeValue(v)}`;
  }
  return globProblem(v);
});

const ExcludePatternSchema = checkedString((v) =>
  v.includes(':')
    ? `expected a tag glob (digests can only be included), got ${describeValue(v)}`
    : globProblem(v),
);

function globProblem(pattern: string): string | undefined {
  if (pattern === '') return 'expected a tag glob, got ""';
  if (!pattern.startsWith('!')) return undefined;
  const hint = 'list the tags to leave out under exclude';
  return `expected a tag glob not starting with "!" (${hint}), got ${describeValue(pattern)}`;
}

/** Either a pair of environment variables or a Docker config.json; never the secret itself. */
const CredentialsSchema = z
  .strictObject({
    username_env: EnvNameSchema.optional(),
    password_env: EnvNameSchema.optional(),
    docker_config: PathSchema.optional(),
  })
  .superRefine((value, ctx) => {
    const problem = credentialsProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', ...problem });
  });

function credentialsProblem(value: {
  username_env?: string;
  password_env?: string;
  docker_config?: string;
}): { path: string[]; message: string } | undefined {
  const { username_env: user, password_env: password, docker_config: file } = value;
  const expected = 'expected username_env and password_env, or docker_config';
  if (user === undefined && password === undefined && file === undefined) {
    return { path: [], message: expected };
  }
  if ((user !== undefined || password !== undefined) && file !== undefined) {
    return { path: [], message: `${expected}, not both` };
  }
  if (user === undefined && password !== undefined) {
    return { path: ['username_env'], message: 'missing; expected it next to password_env' };
  }
  if (password === undefined && user !== undefined) {
    return { path: ['password_env'], message: 'missing; expected it next to username_env' };
  }
  return undefined;
}

/** A client certificate is only usable with its key, so one without the other is refused. */
const TlsSchema = z
  .strictObject({
    insecure: z.boolean().optional(),
    ca_file: PathSchema.optional(),
    client_cert: PathSchema.optional(),
    client_key: PathSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.client_cert === undefined) === (value.client_key === undefined)) return;
    const [missing, other] =
      value.client_cert === undefined
        ? ['client_cert', 'client_key']
        : ['client_key', 'client_cert'];
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: `missing; expected it next to ${other}`,
    });
  });

const RegistrySchema = z.strictObject({
  url: RegistryUrlSchema,
  credentials: CredentialsSchema.optional(),
  tls: TlsSchema.optional(),
  /** Requests per second to this registry, shared by every repository synced from it. */
  requests_per_second: z.number().positive().optional(),
  /** The longest `Retry-After` a 429 may ask for before the request fails instead. */
  max_retry_wait: DurationSchema.optional(),
});

const RegistriesSchema = z.record(z.string(), RegistrySchema).superRefine((registries, ctx) => {
  for (const name of Object.keys(registries)) {
    if (REGISTRY_NAME.test(name)) continue;
    const expected = 'expected a name of letters, digits, ".", "_" and "-"';
    const message = `${expected}, got ${describeValue(name)}`;
    ctx.addIssue({ code: 'custom', path: [name], message });
  }
});

/** A user:password in the URL would be sent and logged with every signature URL; refused. */
function lookasideProblem(value: string): string | undefined {
  if (!/^https?:\/\/[^/]/.test(value)) return 'expected an http(s) URL';
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined) return 'expected an http(s) URL';
  if (url.username !== '' || url.password !== '') return LITERAL_SECRET_HINT;
  return undefined;
}

/** Where signatures come from and how they are judged (see README, Signatures). */
const SignaturesSchema = z.strictObject({
  lookaside: checkedString(lookasideProblem).optional(),
  gpg_keys: z.array(PathSchema).optional(),
  cosign_keys: z.array(PathSchema).optional(),
  check_reference: z.boolean().optional(),
  signed_only: z.boolean().optional(),
});

/** Settings a repository may take from `defaults`. */
const repositorySettings = {
  include: z.array(IncludePatternSchema).optional(),
  exclude: z.array(ExcludePatternSchema).optional(),
  policy: z.enum(['immediate', 'on_demand']).optional(),
  mirror: z.boolean().optional(),
  interval: DurationSchema.optional(),
  concurrency: PositiveIntegerSchema.optional(),
  batch_size: PositiveIntegerSchema.optional(),
  credentials: CredentialsSchema.optional(),
  signatures: SignaturesSchema.optional(),
};

const RepositorySchema = z.strictObject({
  name: RepositoryNameSchema,
  /** A URL, a key of `registries`, or `oci-layout:<path>`; told apart by loadConfig. */
  upstream: checkedString((v) => (v === '' ? 'expected an upstream, got ""' : undefined)),
  repository: RepositoryNameSchema.optional(),
  ...repositorySettings,
});

export const ConfigFileSchema = z.strictObject({
  data_dir: PathSchema.optional(),
  defaults: z.strictObject(repositorySettings).optional(),
  registries: RegistriesSchema.optional(),
  repositories: z.array(RepositorySchema).min(1),
});

export type ConfigFile = z.output<typeof ConfigFileSchema>;
export type RepositoryEntry = z.output<typeof RepositorySchema>;
export type DefaultsEntry = NonNullable<ConfigFile['defaults']>;
export type RegistryEntry = z.output<typeof RegistrySchema>;
export type CredentialsEntry = z.output<typeof CredentialsSchema>;
