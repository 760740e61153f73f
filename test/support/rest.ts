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

/** The JSON text of an object or array `field` in an answer, as written (a JSON.parse would lose key order and 1.0). */
export function fieldText(answer: string, field: string): string {
  const at = answer.indexOf(`"${field}":`) + field.length + 3;
  let depth = 0;
  for (let i = at; ; i++) {
    const c = answer[i];
    if (c === '"') i = answer.indexOf('"', i + 1);
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    if (depth === 0) return answer.slice(at, i + 1);
  }
}
