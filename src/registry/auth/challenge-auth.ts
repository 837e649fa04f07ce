import type { Logger } from 'pino';
import { AnonymousAuth } from '../anonymous-auth';
import type { AuthRequest, Authenticator } from '../authenticator';
import { BasicAuth, type Credentials } from '../basic-auth';
import { BearerAuth, type BearerAuthOptions } from './bearer-auth';
import { findChallenge } from './www-authenticate';

export interface ChallengeAuthOptions {
  repository: string;
  credentials?: Credentials;
  logger?: Logger;
  /** Passed to the BearerAuth it switches to; tests replace the clock or the token request. */
  bearer?: Pick<BearerAuthOptions, 'now' | 'requestToken'>;
}

/**
 * Lets the registry choose the scheme, so users configure credentials, not a scheme. Requests
 * start anonymous; a Basic challenge switches to Basic when there are credentials, a Bearer
 * challenge to bearer tokens (fetched with the credentials, if any). The password is therefore
 * never sent to a registry that did not ask for Basic. After the switch, the chosen scheme
 * answers every request and challenge.
 */
export class ChallengeAuth implements Authenticator {
  readonly #options: ChallengeAuthOptions;
  #current: Authenticator = new AnonymousAuth();
  #scheme: 'none' | 'basic' | 'bearer' = 'none';

  constructor(options: ChallengeAuthOptions) {
    this.#options = options;
  }

  authorize(request: AuthRequest): Promise<Record<string, string>> {
    return this.#current.authorize(request);
  }

  async challenged(request: AuthRequest, header: string | undefined): Promise<boolean> {
    if (this.#scheme === 'none') {
      if (findChallenge(header, 'bearer') !== undefined) {
        const { bearer, ...common } = this.#options;
        this.#switch('bearer', new BearerAuth({ ...common, ...bearer }));
      } else if (findChallenge(header, 'basic') !== undefined && this.#options.credentials) {
        this.#switch('basic', new BasicAuth(this.#options.credentials));
        return true;
      }
    }
    return this.#current.challenged(request, header);
  }

  #switch(scheme: 'basic' | 'bearer', authenticator: Authenticator): void {
    this.#options.logger?.debug({ scheme }, 'registry auth scheme chosen');
    this.#scheme = scheme;
    this.#current = authenticator;
  }
}
