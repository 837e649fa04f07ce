/** Keys that read well after a dot; anything else is quoted in brackets. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A path into the config as the user would point at it: `repositories[2].policy`,
 * `registries["my registry"].url`. The empty path (the whole document) gives an empty string.
 */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let formatted = '';
  for (const key of path) {
    if (typeof key === 'number') {
      formatted += `[${key}]`;
    } else {
      const name = String(key);
      if (!PLAIN_KEY.test(name)) formatted += `[${JSON.stringify(name)}]`;
      else formatted += formatted === '' ? name : `.${name}`;
    }
  }
  return formatted;
}
