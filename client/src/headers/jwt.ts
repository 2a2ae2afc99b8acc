import { base64urlnopad } from "@scure/base";

/** A bearer token and the unix second it expires at (undefined: the token has no `exp`). */
export interface JwtToken {
  token: string;
  expiresAt?: number;
}

/** Thrown for a token that is not three unpadded base64url parts with a JSON payload and an integer `exp`. */
export class InvalidJwtError extends Error {
  override readonly name = "InvalidJwtError";
}

/** Reads the expiry of a JWT without verifying it: the client only needs to know when to fetch a new one. */
export function parseJwt(token: string): JwtToken {
  const parts = token.split(".");
  if (parts.length !== 3) throw new InvalidJwtError("a JWT has three parts");
  let payload: unknown;
  try {
    parts.forEach((part) => base64urlnopad.decode(part));
    payload = JSON.parse(new TextDecoder().decode(base64urlnopad.decode(parts[1] ?? "")));
  } catch (cause) {
    throw new InvalidJwtError("a JWT part is not unpadded base64url JSON", { cause });
  }
  if (typeof payload !== "object" || payload === null) throw new InvalidJwtError("JWT payload is not an object");
  const exp = (payload as { exp?: unknown }).exp;
  if (exp === undefined || exp === null) return { token };
  if (typeof exp !== "number" || !Number.isSafeInteger(exp) || exp < 0) throw new InvalidJwtError("JWT exp is not an integer");
  return { token, expiresAt: exp };
}
