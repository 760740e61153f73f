// Composition root: database → store → handlers → transports → one server.
// main.ts runs it as a process; tests start it in-process the same way.
import type { Logger } from "pino";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Config } from "./config.js";
import { bindServices } from "./handlers/index.js";
import { openDatabase, type Database } from "./store/database.js";
import { createMessageStore } from "./store/message-store.js";
import { connectRoutes } from "./transport/connect-routes.js";
import { restGateway } from "./transport/rest-gateway.js";
import { createDualServer } from "./transport/server.js";
import type { NodeResponse } from "./transport/http-io.js";

export interface App {
  url: string;
  db: Database;
  stop(): Promise<void>;
}

export async function startApp(cfg: Config, log: Logger): Promise<App> {
  const db = await openDatabase(cfg, log);
  const bindings = bindServices({ messages: createMessageStore(db.sql) });
  const rest = restGateway(bindings, { bodyLimitBytes: cfg.bodyLimitBytes }, log);
  const handler = connectNodeAdapter({
    routes: connectRoutes(bindings, log),
    readMaxBytes: cfg.bodyLimitBytes,
    fallback: (req, res) => void rest(req, res as unknown as NodeResponse),
  });
  const server = createDualServer(handler, cfg);
  let address;
  try {
    address = await server.listen(cfg.port, cfg.host);
  } catch (err) {
    await db.close();
    throw err;
  }
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url }, "serving REST, Connect, gRPC-Web and gRPC (h2c)");
  return {
    url,
    db,
    async stop() {
      await server.close(cfg.shutdownGraceMs);
      await db.close();
    },
  };
}
