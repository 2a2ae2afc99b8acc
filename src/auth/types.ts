/** Who made a request: the scheme that vouched for it and the subject it names. */
export interface Identity {
  scheme: string;
  subject: string;
}

/** The namespaced identity that scopes data: schemes never collide ("sigs:02ab…", "none:unauth-user"). */
export function identityKey(identity: Identity): string {
  return `${identity.scheme}:${identity.subject}`;
}

/**
 * One authentication scheme. `accepts` says whether the header is in this scheme's format (so several schemes
 * can be enabled side by side); `authenticate` verifies it, resolving to null when the credentials are bad.
 */
export interface Authenticator {
  readonly scheme: string;
  accepts(authorization: string | null): boolean;
  authenticate(authorization: string | null, nowSeconds: number): Promise<Identity | null>;
}
