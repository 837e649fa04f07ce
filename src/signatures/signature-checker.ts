import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { SignatureSource } from './sources/found-signature';
import type { SignatureOptions } from './signature-options';
import type { ParsedSignature, SignatureVerdict } from './signature-types';
import { verifyCosign } from './verify-cosign';
import { verifySimpleSigning } from './verify-simple-signing';

export interface CheckedSignature {
  parsed: ParsedSignature;
  verdict: SignatureVerdict;
}

/** How many manifests' findings a run keeps; memory must not grow with the repository. */
const CHECKED_CAP = 1024;

/**
 * Finds and judges the signatures of manifests, once per digest per run (among the most recent
 * CHECKED_CAP digests asked about: a manifest asked about again much later is looked up again,
 * which costs requests, not correctness). Without keys every signature that parses and names
 * the manifest is kept, unverified; with keys only those that verify are. A signature that
 * cannot be read, does not verify, or names another digest counts as missing and is logged with
 * the reason.
 */
export class SignatureChecker {
  private readonly checked = new LRUCache<string, Promise<CheckedSignature[]>>({
    max: CHECKED_CAP,
  });

  constructor(
    private readonly sources: (scope: 'all' | 'cheap') => Promise<SignatureSource[]>,
    readonly options: SignatureOptions,
    private readonly log: Logger,
  ) {}

  get keysConfigured(): boolean {
    return this.options.gpgKeys.length + this.options.cosignKeys.length > 0;
  }

  /**
   * The signatures to keep for a manifest. `cheap` asks only the sources that cost nothing when
   * there is nothing new (no signature-API ping, no cosign tag fetch), for manifests synced
   * before; see createSignatureChecker.
   */
  async kept(manifestDigest: string, scope: 'all' | 'cheap' = 'all'): Promise<ParsedSignature[]> {
    const checked = await this.check(manifestDigest, scope);
    return checked
      .filter(({ verdict }) => verdict.status !== 'invalid')
      .map(({ parsed }) => parsed);
  }

  /** Why `signed_only` must skip this manifest, or undefined when it has a signature. */
  async missingReason(manifestDigest: string): Promise<string | undefined> {
    if ((await this.kept(manifestDigest)).length > 0) return undefined;
    return this.keysConfigured
      ? `no valid signature for ${manifestDigest}`
      : `no signature for ${manifestDigest}`;
  }

  private check(manifestDigest: string, scope: 'all' | 'cheap'): Promise<CheckedSignature[]> {
    const key = `${scope}:${manifestDigest}`;
    let checked = this.checked.get(key) ?? this.checked.get(`all:${manifestDigest}`);
    if (!checked) {
      checked = this.findAndJudge(manifestDigest, scope);
      this.checked.set(key, checked);
    }
    return checked;
  }

  private async findAndJudge(
    manifestDigest: string,
    scope: 'all' | 'cheap',
  ): Promise<CheckedSignature[]> {
    const result: CheckedSignature[] = [];
    const seen = new Set<string>();
    for (const source of await this.sources(scope)) {
      for (const found of await source.find(manifestDigest)) {
        if ('unreadable' in found) {
          this.log.warn(
            {
              digest: manifestDigest,
              source: found.source,
              where: found.where,
              reason: found.unreadable,
            },
            'signature unreadable; dropped',
          );
          continue;
        }
        if (seen.has(found.parsed.digest)) continue;
        seen.add(found.parsed.digest);
        const verdict = await this.judge(found.parsed, manifestDigest);
        if (verdict.status === 'invalid') {
          this.log.warn(
            { digest: manifestDigest, signature: found.parsed.digest, reason: verdict.reason },
            'signature does not count',
          );
        }
        result.push({ parsed: found.parsed, verdict });
      }
    }
    return result;
  }

  private async judge(parsed: ParsedSignature, manifestDigest: string): Promise<SignatureVerdict> {
    const { expectedReference } = this.options;
    if (!this.keysConfigured) {
      if (parsed.signedDigest !== manifestDigest) {
        return {
          status: 'invalid',
          reason: `signed digest ${parsed.signedDigest} is not ${manifestDigest}`,
        };
      }
      return { status: 'unverified' };
    }
    if (parsed.type === 'simple_signing') {
      if (this.options.gpgKeys.length === 0) {
        return { status: 'invalid', reason: 'no GPG key configured for simple signing' };
      }
      return verifySimpleSigning(parsed.raw, {
        publicKeys: this.options.gpgKeys,
        manifestDigest,
        expectedReference,
      });
    }
    let last: SignatureVerdict = { status: 'invalid', reason: 'no cosign key configured' };
    for (const key of this.options.cosignKeys) {
      last = verifyCosign({
        payload: parsed.raw,
        signatureBase64: parsed.signatureBase64 ?? '',
        publicKeyPem: key,
        manifestDigest,
        expectedReference,
      });
      if (last.status === 'valid') return last;
    }
    return last;
  }
}
