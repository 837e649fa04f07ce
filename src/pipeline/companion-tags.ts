/**
 * Tags that belong to another manifest rather than name an image: cosign's signatures,
 * attestations and SBOMs (`sha256-<hex>.sig`, `.att`, `.sbom`) and the OCI referrers fallback
 * tag (`sha256-<hex>`). Returns the digest they belong to.
 */
export function companionSubject(tag: string): string | undefined {
  const match = /^(sha256|sha512)-([a-f0-9]{64,128})(\.sig|\.att|\.sbom)?$/.exec(tag);
  return match ? `${match[1]}:${match[2]}` : undefined;
}

export function isCosignSignatureTag(tag: string): boolean {
  return tag.endsWith('.sig') && companionSubject(tag) !== undefined;
}

/**
 * The OCI referrers fallback tag `sha256-<hex>` (distribution-spec, "Referrers Tag Schema"): an
 * index of the manifests whose `subject` is that digest.
 */
export function isReferrersTag(tag: string): boolean {
  return !/\.(sig|att|sbom)$/.test(tag) && companionSubject(tag) !== undefined;
}
