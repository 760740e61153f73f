// Health: gRPC grpc.health.v1.Health (Check and Watch) and HTTP /health
// (liveness) and /ready (database reachable, migrations applied). Serving
// follows database reachability, and turns NOT_SERVING while shutting down.
import { create, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status, HealthCheckResponseSchema } from "../../gen/grpc/health/v1/health_pb.js";
import type { DatabaseState } from "../store/probe.js";
import { sendJson, type NodeResponse } from "./http-io.js";

export interface HealthMonitor {
  state(): Promise<DatabaseState>;
  /** After this, everything reports NOT_SERVING (graceful shutdown). */
  drain(): void;
  routes(services: DescService[]): (router: ConnectRouter) => void;
  /** Answers GET /health and /ready; false when the path is not one of them. */
  http(path: string, res: NodeResponse): boolean;
}

const CACHE_MS = 250; // probes are cheap, but not on every call of a busy balancer
const WATCH_EVERY_MS = 1_000;

export function createHealthMonitor(probe: () => Promise<DatabaseState>): HealthMonitor {
  let draining = false;
  let cached: { at: number; value: Promise<DatabaseState> } | undefined;
  const state = () => {
    if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), value: probe() };
    return cached.value;
  };
  const serving = async () => (!draining && (await state()).reachable ? Status.SERVING : Status.NOT_SERVING);

  return {
    state,
    drain: () => void (draining = true),
    routes(services) {
      const known = new Set(["", ...services.map((s) => s.typeName)]);
      return (router) =>
        router.service(Health, {
          async check(req) {
            if (!known.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
            return create(HealthCheckResponseSchema, { status: await serving() });
          },
          async *watch(req, ctx) {
            let last: Status | undefined;
            while (!ctx.signal.aborted) {
              const now = known.has(req.service) ? await serving() : Status.SERVICE_UNKNOWN;
              if (now !== last) yield create(HealthCheckResponseSchema, { status: now });
              last = now;
              await sleep(WATCH_EVERY_MS, ctx.signal);
            }
          },
        });
    },
    http(path, res) {
      if (path === "/health") {
        sendJson(res, 200, { status: "ok" });
        return true;
      }
      if (path !== "/ready") return false;
      void state().then((s) => {
        if (draining) sendJson(res, 503, { detail: "Shutting down" });
        else if (!s.reachable) sendJson(res, 503, { detail: "Database unreachable" });
        else if (!s.migrated) sendJson(res, 503, { detail: "Database migrations not applied" });
        else sendJson(res, 200, { status: "ready" });
      });
      return true;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
