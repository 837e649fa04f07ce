import type { Authenticator } from './authenticator';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * HTTP Basic (RFC 7617) on every request, as registries with `auth: htpasswd` expect. Nothing new
 * can be learnt from a 401, so it is final. The header is built once and never logged.
 */
export class BasicAuth implements Authenticator {
  readonly #header: string;

  constructor(credentials: Credentials) {
    const token = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8');
    this.#header = `Basic ${token.toString('base64')}`;
  }

  async authorize(): Promise<Record<string, string>> {
    return { Authorization: this.#header };
  }

  async challenged(): Promise<boolean> {
    return false;
  }
}
