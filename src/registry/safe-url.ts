/**
 * A URL fit for logs and error data: no user info, and no query, since blob redirects carry
 * signed credentials in their query strings.
 */
export function safeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
