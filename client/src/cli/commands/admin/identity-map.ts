/** How a reference server's user_token becomes one of this service's namespaced identities. */
export type IdentityScheme = "auto" | "sigs" | "jwt" | "lnurl" | "none";

export const IDENTITY_SCHEMES: readonly IdentityScheme[] = ["auto", "sigs", "jwt", "lnurl", "none"];

/** The reference server's fixed user of its no-auth mode. */
const UNAUTH_USER = "unauth-user";
const PUBKEY = /^[0-9a-fA-F]{66}$/;

/**
 * The identity of `userToken`, or why it has none. `auto`: 66 hex digits are a sigs public key (lower-cased, as
 * this service names sigs identities), `unauth-user` is the none scheme's user, anything else a JWT subject.
 */
export function identityOf(userToken: string, scheme: IdentityScheme): { identity: string } | { skip: string } {
  const pubkey = PUBKEY.test(userToken);
  switch (scheme) {
    case "auto":
      if (pubkey) return { identity: `sigs:${userToken.toLowerCase()}` };
      if (userToken === UNAUTH_USER) return { identity: `none:${UNAUTH_USER}` };
      return { identity: `jwt:${userToken}` };
    case "sigs":
      return pubkey ? { identity: `sigs:${userToken.toLowerCase()}` } : { skip: "user_token is not a 33-byte public key in hex (--identity-scheme sigs)" };
    case "lnurl":
      return pubkey ? { identity: `lnurl:${userToken.toLowerCase()}` } : { skip: "user_token is not a 33-byte public key in hex (--identity-scheme lnurl)" };
    case "jwt":
      return { identity: `jwt:${userToken}` };
    case "none":
      return userToken === UNAUTH_USER ? { identity: `none:${UNAUTH_USER}` } : { skip: `user_token is not ${UNAUTH_USER} (--identity-scheme none)` };
  }
}

/** The reference server's user_token for one of this service's identities (moving out). */
export function userTokenOf(identity: string): string {
  return identity.slice(identity.indexOf(":") + 1);
}
