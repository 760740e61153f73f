// A REST call as the Honcho SDKs make one, answered as status + parsed JSON,
// and bearer headers minted with the test's secret.
import { hs256 } from "./jwt.js";

export interface Answer {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export async function rest(base: string, verb: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: verb,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

export const bearer = (claims: object, secret: string) => ({ authorization: `Bearer ${hs256(claims, secret)}` });
