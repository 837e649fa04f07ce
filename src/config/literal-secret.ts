/**
 * Keys someone may write to put a credential straight into the file. The schema has none of them,
 * so they would be refused anyway; naming them lets the error say where credentials belong.
 */
const LITERAL_SECRET_KEYS = new Set([
  'username',
  'user',
  'password',
  'passwd',
  'token',
  'auth',
  'secret',
  'identitytoken',
  'identity_token',
  'registrytoken',
  'registry_token',
  'access_token',
  'api_key',
]);

export const LITERAL_SECRET_HINT =
  'credentials are not accepted in the config file; name environment variables with ' +
  'username_env and password_env, or a Docker config file with docker_config';

export function isLiteralSecretKey(key: string): boolean {
  return LITERAL_SECRET_KEYS.has(key.toLowerCase());
}
