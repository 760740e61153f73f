// The README's route table lists every REST route with its RPC, and every RPC:
// a route added to the contract without a row here fails.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { routesOf } from "../../src/transport/http-rule.js";
import { honchoServices } from "../support/every-route.js";

const README = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
const rows = README.split("\n").filter((l) => l.startsWith("| ") && l.includes("Service/"));

describe("README route table", () => {
  it("has a row for every REST route (v3) with its RPC, and one for every RPC", async () => {
    const missing: string[] = [];
    for (const service of await honchoServices()) {
      for (const method of service.methods) {
        const rpc = `\`${service.typeName.replace("honcho.v3.", "")}/${method.name}\``;
        const withRpc = rows.filter((r) => r.includes(rpc));
        if (withRpc.length === 0) missing.push(rpc);
        for (const route of routesOf(method).filter((r) => r.template.startsWith("/v3/"))) {
          const shown = route.template === "/v3/workspaces" || route.template === "/v3/workspaces/list" ? route.template : route.template.replace("/v3/workspaces/{workspace_id}", "…");
          if (!withRpc.some((r) => r.includes(`\`${route.verb} ${shown}\``))) missing.push(`${route.verb} ${shown} → ${rpc}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
