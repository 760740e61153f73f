// google.api.http rules read from the service descriptors, compiled into
// matchers. Supports the template forms our contract uses: literal segments,
// `{field}` (one segment) and `{field=**}` (the rest of the path).
import { getOption, type DescMethod } from "@bufbuild/protobuf";
import { http } from "../../gen/google/api/annotations_pb.js";
import type { HttpRule } from "../../gen/google/api/http_pb.js";
import { http_created_field, http_success_status } from "../../gen/honcho/v3/options_pb.js";
import { unquote } from "./percent-encoding.js";

export interface HttpRoute {
  verb: string;
  template: string;
  method: DescMethod;
  /** "*" = all fields not bound by the path; "" = no body; else one field */
  body: string;
  /** "" = the whole response message */
  responseBody: string;
  successStatus: number;
  /** a bool field of the response: 201 when true, successStatus otherwise */
  createdField: string;
  match(path: string): Record<string, string> | undefined;
}

// POST …/messages/ beside POST …/messages (Honcho's src/routers/messages.py)
const KEEPS_TRAILING_SLASH = new Set(["honcho.v3.MessageService.CreateMessages"]);

export function routesOf(method: DescMethod): HttpRoute[] {
  const rule = getOption(method, http);
  if (!rule.pattern.case) return [];
  const status = getOption(method, http_success_status) || 200;
  return [rule, ...rule.additionalBindings].map((r) => compile(r, method, status));
}

function compile(rule: HttpRule, method: DescMethod, successStatus: number): HttpRoute {
  const { case: kind, value } = rule.pattern;
  const verb = kind === "custom" ? value!.kind.toUpperCase() : String(kind).toUpperCase();
  const template = kind === "custom" ? value!.path : (value as string);
  const names: string[] = [];
  const wild: boolean[] = []; // {name=**}: may span segments
  const source = template
    .split("/")
    .map((seg) => {
      const v = /^\{([a-z_][a-z0-9_.]*)(?:=(\*\*?))?\}$/i.exec(seg);
      if (!v) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(v[1]!);
      wild.push(v[2] === "**");
      return v[2] === "**" ? "(.+)" : "([^/]+)";
    })
    .join("/");
  // Honcho's routes have no trailing slash, but for the one it keeps for old
  // clients; any other is Starlette's redirect (rest-gateway.ts)
  const re = new RegExp(`^${source}${KEEPS_TRAILING_SLASH.has(`${method.parent.typeName}.${method.name}`) ? "/?" : ""}$`);
  return {
    verb,
    template,
    method,
    body: rule.body,
    responseBody: rule.responseBody,
    successStatus,
    createdField: getOption(method, http_created_field),
    match(path) {
      const m = re.exec(path);
      if (!m) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) {
        const value = unquote(m[i + 1]!);
        // uvicorn hands Starlette the decoded path: an escaped slash splits the segment there, and the route does not match
        if (value.includes("/") && !wild[i]) return undefined;
        params[names[i]!] = value;
      }
      return params;
    },
  };
}
