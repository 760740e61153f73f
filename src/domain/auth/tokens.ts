// Honcho's bearer tokens: HS256 JWTs whose claims are t (created), exp (an
// ISO 8601 string), ad (admin), w (workspace), p (peer) and s (session).
// jose checks the signature (HS256 only); the claims are read here because
// Honcho's exp is a string, which JWT libraries refuse as a NumericDate.
import { compactVerify, CompactSign } from "jose";
import { DomainError } from "../errors.js";

export interface Claims {
  t?: string;
  exp?: string;
  ad?: boolean;
  w?: string;
  p?: string;
  s?: string;
}

const refuse = (message: string) => new DomainError("unauthenticated", message);
const ALGORITHMS = ["HS256"];

export interface AuthSettings {
  useAuth: boolean;
  jwtSecret?: string;
}

export function checkAuthSettings(s: AuthSettings): void {
  if (s.useAuth && !s.jwtSecret) {
    throw new Error("AUTH_USE_AUTH is on but AUTH_JWT_SECRET is not set: set the secret tokens are signed with, or turn auth off");
  }
}

/**
 * The verified claims of an `authorization` header, or a refusal in Honcho's
 * words. As FastAPI's HTTPBearer: the scheme is "bearer" in any case, and
 * anything else counts as no token at all.
 */
export async function authenticate(authorization: string | null, secret: string, now = new Date()): Promise<Claims> {
  const space = authorization?.indexOf(" ") ?? -1;
  const scheme = space < 0 ? authorization : authorization!.slice(0, space);
  const token = space < 0 ? "" : authorization!.slice(space + 1);
  if (!scheme || scheme.toLowerCase() !== "bearer" || !token) throw refuse("No access token provided");

  let payload: Record<string, unknown>;
  try {
    const { payload: bytes } = await compactVerify(token, new TextEncoder().encode(secret), { algorithms: ALGORITHMS });
    payload = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    throw refuse("Invalid JWT");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw refuse("Invalid JWT");

  const claims: Claims = {};
  if ("t" in payload) claims.t = payload.t as string;
  if (truthy(payload.exp)) {
    const expires = instant(payload.exp);
    if (expires === undefined) throw refuse("Invalid JWT");
    if (expires < now.getTime()) throw refuse("JWT expired");
    claims.exp = String(payload.exp);
  }
  if (truthy(payload.ad)) claims.ad = true;
  // Empty claims count as absent (Honcho: `decoded["w"] or None`).
  for (const k of ["w", "p", "s"] as const) if (truthy(payload[k])) claims[k] = payload[k] as string;
  if ((claims.p !== undefined || claims.s !== undefined) && claims.w === undefined) {
    throw refuse("Invalid JWT scope: peer/session token missing workspace");
  }
  return claims;
}

export async function mintToken(claims: Claims, secret: string): Promise<string> {
  const payload = { t: claims.t ?? new Date().toISOString(), ...withoutUndefined(claims) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

// Python truthiness, as Honcho tests its claims.
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v);
}

// exp: an ISO 8601 string (naive = UTC), or unix seconds.
function instant(v: unknown): number | undefined {
  if (typeof v === "number") return v * 1000;
  if (typeof v !== "string") return undefined;
  const naive = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?$/.test(v);
  const ms = Date.parse(naive ? `${v.replace(" ", "T")}${v.length > 10 ? "Z" : "T00:00:00Z"}` : v);
  return Number.isNaN(ms) ? undefined : ms;
}

function withoutUndefined(o: Claims): Claims {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Claims;
}
