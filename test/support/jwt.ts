// An independent HS256 JWT minter for tests: plain HMAC-SHA256 over base64url
// header.payload, sharing no code with the service.
import { createHmac } from "node:crypto";

const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");

export function hs256(payload: unknown, secret: string, header: object = { alg: "HS256", typ: "JWT" }): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

export function unsigned(payload: unknown): string {
  return `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}.`;
}

export function verifyHs256(token: string, secret: string): Record<string, unknown> {
  const [h, p, sig] = token.split(".");
  const expected = createHmac("sha256", secret).update(`${h}.${p}`).digest("base64url");
  if (sig !== expected) throw new Error("bad signature");
  return JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
}
