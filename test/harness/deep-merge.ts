/** A configuration tree as YAML or JSON describes it. */
export type ConfigTree = { [key: string]: unknown };

function isPlainObject(value: unknown): value is ConfigTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `patch` into `base` without touching either. Objects merge key by key; arrays and
 * scalars in the patch replace what the base has, because a list of allowed URL patterns or
 * auth realms is one value, not something to append to. `undefined` in the patch is ignored.
 */
export function deepMerge(base: ConfigTree, patch: ConfigTree): ConfigTree {
  const merged: ConfigTree = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}
