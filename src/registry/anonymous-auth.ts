import type { Authenticator } from './authenticator';

/** No credentials: public registries and mirrors. A 401 is final. */
export class AnonymousAuth implements Authenticator {
  async authorize(): Promise<Record<string, string>> {
    return {};
  }

  async challenged(): Promise<boolean> {
    return false;
  }
}
