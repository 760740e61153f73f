// A REST call as a gRPC client writes the same request (google.api.http
// transcoding): the path's fields, the body at the rule's `body` ("*": its
// members beside the path's), the query's fields, read as protobuf JSON. Used
// to send one call over both REST and an RPC protocol (protocol-parity.test.ts,
// test/honcho-diff/rpc-proxy.ts).
import { fromJson, ScalarType, type DescMethod, type JsonObject, type JsonValue, type Message } from "@bufbuild/protobuf";

// a bool in a query as pydantic reads one (`reverse=1`); any other text as protobuf JSON reads it
const TRUE = new Set(["1", "true", "t", "yes", "y", "on"]);
const FALSE = new Set(["0", "false", "f", "no", "n", "off"]);

function queryFields(method: DescMethod, query: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [key, text] of Object.entries(query)) {
    const field = method.input.fields.find((f) => f.name === key || f.jsonName === key);
    const low = text.toLowerCase();
    out[key] = field?.fieldKind === "scalar" && field.scalar === ScalarType.BOOL && (TRUE.has(low) || FALSE.has(low)) ? TRUE.has(low) : text;
  }
  return out;
}

/**
 * The request message, or undefined where protobuf JSON cannot hold the call:
 * a value of another type, an unknown key, a body at "*" that is no object
 * (no gRPC client can send `[]` or `""` as a message).
 */
export function transcodedRequest(
  method: DescMethod,
  bodyField: string,
  path: Record<string, string>,
  body: JsonValue | undefined,
  query: Record<string, string>,
): Message | undefined {
  if (bodyField === "*" && body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) return undefined;
  const fields: JsonObject = { ...queryFields(method, query), ...path };
  if (body !== undefined && bodyField === "*") Object.assign(fields, body, path);
  else if (body !== undefined && bodyField) fields[bodyField] = body;
  try {
    return fromJson(method.input, fields);
  } catch {
    return undefined;
  }
}
