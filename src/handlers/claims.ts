// The claims of the call's token, for handlers that authorize against what
// the validated body names (Honcho's self-authorizing routes). The auth gate
// has already checked the token (their policy is { kind: "token" }), so this
// reads it again and cannot refuse it; with auth off every call is an admin's,
// as Honcho's auth() answers JWTParams(ad=True).
import { authenticate, type AuthSettings, type Claims } from "../domain/auth/index.js";
import type { CallContext } from "./context.js";

export async function claimsOf(auth: AuthSettings, ctx: CallContext): Promise<Claims> {
  if (!auth.useAuth) return { ad: true };
  return authenticate(ctx.headers.get("authorization"), auth.jwtSecret!);
}
