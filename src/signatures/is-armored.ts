/** ASCII armor (RFC 4880 section 6.2) starts with a `-----BEGIN PGP` line; binary never does. */
export function isArmored(bytes: Buffer): boolean {
  return bytes.subarray(0, 100).toString('latin1').trimStart().startsWith('-----BEGIN PGP');
}
