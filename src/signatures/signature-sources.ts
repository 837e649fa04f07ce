import type { Logger } from 'pino';
import { RegistryClient } from '../registry/registry-client';
import type { Upstream } from '../registry/upstream';
import { SignatureChecker } from './signature-checker';
import type { SignatureOptions } from './signature-options';
import { CosignSource } from './sources/cosign-source';
import { ExtensionSource } from './sources/extension-source';
import type { SignatureSource } from './sources/found-signature';
import { LookasideSource } from './sources/lookaside-source';

/**
 * The signature sources of one repository: a lookaside store when configured, the registry's
 * signature API when `GET /v2/` announces it, and cosign `.sig` tags among `tags` (filled once
 * the tag list is read). Sources are settled on the first lookup, so a run that fetches no new
 * manifest asks nothing.
 */
export function createSignatureChecker(options: {
  upstream: Upstream;
  upstreamRepository: string;
  tags: ReadonlySet<string>;
  signatures: SignatureOptions;
  log: Logger;
}): SignatureChecker {
  const { upstream, signatures, log } = options;
  const lookaside = signatures.lookaside
    ? [new LookasideSource(signatures.lookaside, options.upstreamRepository)]
    : [];
  let sources: Promise<SignatureSource[]> | undefined;
  const settle = async (): Promise<SignatureSource[]> => {
    const found: SignatureSource[] = [...lookaside];
    if (upstream instanceof RegistryClient && (await ExtensionSource.supported(upstream))) {
      log.info('registry announces the signature API; using it');
      found.push(new ExtensionSource(upstream));
    }
    found.push(new CosignSource(upstream, options.tags));
    return found;
  };
  // The cheap scope never pings for the signature API; it uses it once an earlier lookup found it.
  const cheap = async () =>
    sources ? (await sources).filter((s) => s.name !== 'cosign') : lookaside;
  return new SignatureChecker(
    (scope) => (scope === 'cheap' ? cheap() : (sources ??= settle())),
    signatures,
    log,
  );
}
