/** How a repository's signatures are found and judged (config `signatures`). */
export interface SignatureOptions {
  /** Base URL of a lookaside store; none: that source is not used. */
  lookaside?: string;
  /** OpenPGP public keys (armored or binary) for simple signing. */
  gpgKeys: Buffer[];
  /** PEM public keys for cosign. */
  cosignKeys: Buffer[];
  /** When set, a signature's docker-reference must name this repository. */
  expectedReference?: string;
  /** Sync only manifests with a signature (a valid one, where keys are configured). */
  signedOnly: boolean;
}

export const NO_SIGNATURE_OPTIONS: SignatureOptions = {
  gpgKeys: [],
  cosignKeys: [],
  signedOnly: false,
};
