import { ConfigTree, deepMerge } from './deep-merge';

/**
 * The docker-registry (distribution 2.8.2) configuration the fixtures need, per
 * ../shared/fixtures/README.md: schema 1 accepted (otherwise its PUT answers 500), layers with
 * `urls` accepted (foreign and non-distributable layers), and DELETE enabled for mirror-mode
 * tests. Upload purging is off so a slow test never loses an upload in progress.
 */
export function buildRegistryConfig(
  port: number,
  rootDirectory: string,
  patch: ConfigTree = {},
): ConfigTree {
  const base: ConfigTree = {
    version: 0.1,
    log: { level: 'info', formatter: 'text' },
    storage: {
      filesystem: { rootdirectory: rootDirectory },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}` },
    compatibility: { schema1: { enabled: true } },
    validation: { manifests: { urls: { allow: ['^https?://'] } } },
  };
  return deepMerge(base, patch);
}
