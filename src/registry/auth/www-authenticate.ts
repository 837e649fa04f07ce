/** One challenge of a `WWW-Authenticate` header: its scheme and auth-params (names lower-cased). */
export interface Challenge {
  /** Lower-cased, e.g. `bearer` or `basic`. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Reads a `WWW-Authenticate` value as RFC 9110 11.6.1 and 11.2 define it: challenges separated
 * by commas, each a scheme then `name=value` pairs, a value being a token or a quoted string
 * with backslash escapes. A quoted value may hold commas (a `scope` naming several actions) and
 * a realm may carry its own query. Anything unreadable (including a token68, which neither
 * Basic nor Bearer challenges carry) ends the parse with what was read so far rather than
 * throwing: a malformed challenge only means no retry.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const reader = new Reader(header);
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;

  for (;;) {
    reader.skip(/[\s,]*/y);
    if (reader.done()) break;

    const name = reader.take(TOKEN);
    if (name === undefined) break;
    reader.skip(/\s*/y);
    if (!reader.startsWith('=')) {
      // A token not followed by `=` starts the next challenge.
      current = { scheme: name.toLowerCase(), params: {} };
      challenges.push(current);
      continue;
    }

    reader.skip(/=\s*/y);
    const value = reader.startsWith('"') ? reader.quoted() : reader.take(TOKEN);
    if (value === undefined) break;
    if (current !== undefined) current.params[name.toLowerCase()] = value;
  }
  return challenges;
}

/** The first challenge of `scheme` (case-insensitive) in a header, if any. */
export function findChallenge(header: string | undefined, scheme: string): Challenge | undefined {
  if (header === undefined) return undefined;
  const wanted = scheme.toLowerCase();
  return parseWwwAuthenticate(header).find((challenge) => challenge.scheme === wanted);
}

/** RFC 9110 5.6.2 `token`, plus `/` and `:` so an unquoted realm path survives lax servers. */
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z/:-]+/y;

class Reader {
  #at = 0;

  constructor(readonly text: string) {}

  done(): boolean {
    return this.#at >= this.text.length;
  }

  startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.#at);
  }

  skip(pattern: RegExp): void {
    this.take(pattern);
  }

  take(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#at;
    const match = pattern.exec(this.text);
    if (match === null || match[0].length === 0) return undefined;
    this.#at += match[0].length;
    return match[0];
  }

  /** A quoted-string starting at the reader; undefined when it never closes. */
  quoted(): string | undefined {
    let value = '';
    for (let i = this.#at + 1; i < this.text.length; i++) {
      const char = this.text[i];
      if (char === '"') {
        this.#at = i + 1;
        return value;
      }
      if (char === '\\' && i + 1 < this.text.length) i++;
      value += this.text[i];
    }
    return undefined;
  }
}
