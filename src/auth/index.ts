import type { Config } from "../config";
import { MAX_IDENTITY_CHARS } from "../store/limits";
import { noneAuthenticator } from "./none";
import { sigsAuthenticator } from "./sigs";
import { identityKey, type Authenticator } from "./types";

export { identityKey, type Identity, type Authenticator } from "./types";

/** The enabled schemes in the order they are tried; `none` last, as the fallback for anything else. */
export function authenticatorsFor(config: Config): Authenticator[] {
  const list: Authenticator[] = [];
  if (config.authSchemes.has("sigs")) list.push(sigsAuthenticator(config.sigsMaxSkewSeconds));
  if (config.authSchemes.has("none")) list.push(noneAuthenticator());
  return list;
}

/**
 * The namespaced identity of a request, or null when no enabled scheme accepts its `authorization` header.
 * Reads headers only: the body is not touched before authentication.
 */
export async function authenticate(authenticators: Authenticator[], request: Request, nowSeconds: number): Promise<string | null> {
  const authorization = request.headers.get("authorization");
  const authenticator = authenticators.find((a) => a.accepts(authorization));
  if (!authenticator) return null;
  const identity = await authenticator.authenticate(authorization, nowSeconds);
  if (!identity || [...identity.subject].length > MAX_IDENTITY_CHARS) return null;
  return identityKey(identity);
}
