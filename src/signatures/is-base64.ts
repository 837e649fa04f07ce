/** Standard base64 (RFC 4648 section 4), padded, as Go's encoding/base64.StdEncoding writes. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Node's decoder skips what it does not know; checking first keeps garbage from decoding. */
export function isBase64(value: string): boolean {
  return BASE64.test(value);
}
