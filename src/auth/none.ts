import type { Authenticator, Identity } from "./types";

/** The fixed subject of the `none` scheme, as the reference server names it. */
export const UNAUTHENTICATED_SUBJECT = "unauth-user";

/** `none`: every request is the same user. For local development or a trusted network; never a default. */
export function noneAuthenticator(): Authenticator {
  const identity: Identity = { scheme: "none", subject: UNAUTHENTICATED_SUBJECT };
  return {
    scheme: "none",
    accepts: () => true,
    authenticate: async function authenticateNone() {
      return identity;
    },
  };
}
