import type { ParsedSignature } from '../signature-types';

/** Where signatures of one manifest are looked for. Each source answers for one repository. */
export interface SignatureSource {
  readonly name: 'lookaside' | 'extension' | 'cosign';
  /** Every signature the source holds for the manifest, parsed but not yet trusted. */
  find(manifestDigest: string): Promise<FoundSignature[]>;
}

/** A signature as found, or why it could not be read (logged and dropped, never fatal). */
export type FoundSignature =
  | { parsed: ParsedSignature; source: SignatureSource['name'] }
  | { unreadable: string; source: SignatureSource['name']; where: string };
