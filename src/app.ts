// Composition root: database → store → handlers → transports → one server.
// main.ts runs it as a process; tests start it in-process the same way.
import type { Logger } from "pino";
import { createContextValues } from "@connectrpc/connect";
import type { Config } from "./config.js";
import { useWellFormedCheck } from "./contract/text-encoding.js";
import { checkAuthSettings } from "./domain/auth/index.js";
import { createTokenCounter } from "./domain/tokens.js";
import { bindServices } from "./handlers/index.js";
import { setAnswerZone } from "./json/answer-zone.js";
import { openDatabase, type Database } from "./store/database.js";
import { createMessageReads } from "./store/message-reads.js";
import { createMessageStore } from "./store/message-store.js";
import { createCommitFeed } from "./store/notifications.js";
import { createQueueStore } from "./store/queue-store.js";
import { createResourceStore } from "./store/resource-store.js";
import { createSessionPeerStore } from "./store/session-peers-store.js";
import { startKeySweep } from "./store/idempotency-sweep.js";
import { createDataPlaneStore } from "./store/data-plane.js";
import { openHonchoCache } from "./store/honcho-cache.js";
import { dropCachedOnWrite } from "./store/honcho-cache-writes.js";
import { startDeletionPurger } from "./store/deletion-purge.js";
import { purgeOn } from "./config-purge.js";
import { newId } from "./domain/ids.js";
import { tablesOf } from "./store/schema.js";
import { defaultConfiguration } from "./config-honcho.js";
import { probeDatabase } from "./store/probe.js";
import { createAuthGate } from "./transport/auth-gate.js";
import { connectAdapter } from "./transport/connect-adapter.js";
import { connectRoutes } from "./transport/connect-routes.js";
import { withCors } from "./transport/cors.js";
import { createDocsPage } from "./transport/docs-page.js";
import { createHealthMonitor } from "./transport/health.js";
import { sendJson } from "./transport/http-io.js";
import { createObservability, kCallRecord, recordOf } from "./transport/observe.js";
import { buildOpenApi, HONCHO_API_INFO } from "./transport/openapi.js";
import { reflectionRoutes } from "./transport/reflection.js";
import { restGateway } from "./transport/rest-gateway.js";
import { createDualServer } from "./transport/server.js";
import { openTls, tlsReloader } from "./transport/tls.js";
import { Health } from "../gen/grpc/health/v1/health_pb.js";

export interface App {
  url: string;
  db: Database;
  stop(): Promise<void>;
  /** SIGHUP: the TLS certificates read again (false: that failed, logged, the old ones stay) */
  reload(): Promise<boolean>;
}

export async function startApp(cfg: Config, log: Logger): Promise<App> {
  useWellFormedCheck();
  checkAuthSettings({ useAuth: cfg.authUseAuth, jwtSecret: cfg.authJwtSecret });
  const tls = cfg.tls && (await openTls(cfg.tls, log)); // before the database: a wrong file stops the start at once
  if (!cfg.authUseAuth) log.warn({ host: cfg.host }, "authentication is off (AUTH_USE_AUTH=false): anyone who can reach this address can write");
  const db = await openDatabase({ ...cfg, schemas: { honcho: cfg.honcho.dbSchema, service: cfg.serviceSchema } }, log);
  const tables = tablesOf(db.sql, db.schemas);
  if (!setAnswerZone(db.timeZone)) {
    log.warn({ timeZone: db.timeZone }, "PostgreSQL's TimeZone is no zone known here: timestamps are answered in UTC (as Honcho's psycopg answers then)");
  }
  const embed = cfg.honcho.embedMessages && db.layout.embeddings;
  const commits = createCommitFeed(db.sql, db.dedicated, log);
  // writes go on connections of their own (database.ts, writeConnectionsOf)
  const messages = createMessageStore(db.writes, tablesOf(db.writes, db.schemas), { deadlineMs: cfg.statementTimeoutMs, groupSlots: cfg.writeGroupSlots, groupMinMessages: cfg.writeGroupMinMessages, defaults: defaultConfiguration(cfg.honcho), embed, onCommit: commits.announce });
  const obs = createObservability(log, messages);
  const tokens = createTokenCounter();
  const sweep = startKeySweep(db.sql, tables, cfg.idempotencySweepMs, log);
  const cache = openHonchoCache(cfg.honcho.cache, log);
  if (db.layout.mode === "attached" && !cfg.honcho.cache.enabled) {
    log.warn("CACHE_ENABLED=false: each Honcho process caches workspaces, peers and sessions in its own memory, out of reach, so Honcho may answer rows changed here as they were for up to CACHE_DEFAULT_TTL_SECONDS (300 s); run Honcho with its Redis cache (CACHE_ENABLED, CACHE_URL) and give this service the same settings");
  }
  const { resources, sessionPeers, dataPlane } = dropCachedOnWrite({
    resources: createResourceStore(db.sql, tables),
    sessionPeers: createSessionPeerStore(db.sql, tables),
    dataPlane: createDataPlaneStore(db.sql, tables, db.schemas),
  }, cache);
  const bindings = bindServices({
    messages,
    queue: createQueueStore(db.sql, tables),
    commits,
    reads: createMessageReads(db.sql, tables),
    resources,
    sessionPeers,
    dataPlane,
    tokens,
    idempotencyTtlSeconds: cfg.idempotencyTtlSeconds,
    embeddingChunkTokens: embed ? cfg.honcho.embeddingChunkTokens : 0,
    onIngested: obs.ingested,
    log,
    honcho: cfg.honcho,
    auth: { useAuth: cfg.authUseAuth, jwtSecret: cfg.authJwtSecret },
  });
  const services = bindings.map((b) => b.service);
  const health = createHealthMonitor(() => probeDatabase(db.sql, db.schemas, 1_000));
  const auth = createAuthGate({ useAuth: cfg.authUseAuth, jwtSecret: cfg.authJwtSecret }, resources.isActiveMember);
  const openapi = JSON.stringify(buildOpenApi(services));
  const docs = createDocsPage({ title: HONCHO_API_INFO.title, openapiUrl: "/openapi.json" });
  const rest = restGateway(bindings, { bodyLimitBytes: cfg.bodyLimitBytes, auth, maxFileBytes: cfg.honcho.maxFileSize, servedBeside: ["/openapi.json", ...docs.paths] }, log);
  const rpc = connectRoutes(bindings, auth, log);
  const handler = connectAdapter({
    unary: rpc.unary,
    routes: (router) => {
      rpc.register(router);
      health.routes(services)(router);
      reflectionRoutes([...services, Health])(router);
    },
    readMaxBytes: cfg.bodyLimitBytes,
    interceptors: [obs.interceptor],
    contextValues: (req) => createContextValues().set(kCallRecord, recordOf(req)),
    fallback: (req, res) => {
      const path = (req.url ?? "").split("?")[0]!;
      if (req.method === "GET" && path === "/openapi.json") return sendJson(res, 200, JSON.parse(openapi));
      if (req.method === "GET" && (health.http(path, res) || obs.http(path, res) || docs.http(path, res))) return;
      void rest(req, res);
    },
  }, log);
  const server = createDualServer(obs.wrap(withCors(handler, { allowOrigins: cfg.corsOrigins })), cfg,
    tls && { credentials: tls.credentials, onHandshakeError: (err) => log.debug({ err }, "TLS handshake failed") });
  let address;
  try {
    address = await server.listen(cfg.port, cfg.host);
  } catch (err) {
    await cache.close();
    await db.close();
    throw err;
  }
  const url = `${tls ? "https" : "http"}://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  if (tls) log.info({ url, tls: tls.summary }, "serving REST, Connect, gRPC-Web and gRPC over TLS (ALPN h2 and http/1.1)");
  else log.info({ url }, "serving REST, Connect, gRPC-Web and gRPC (h2c)");
  const purger = purgeOn(cfg.purge, db.layout.mode) ? startDeletionPurger(dataPlane.purge, { intervalMs: cfg.purge.intervalMs, maxUnits: 10, newClaimId: newId, onQueued: dataPlane.onDeletionQueued }, log) : undefined;
  return {
    url,
    db,
    reload: tlsReloader(cfg.tls, server, log),
    async stop() {
      health.drain();
      await server.close(cfg.shutdownGraceMs);
      await tokens.close();
      await sweep.stop();
      await purger?.stop();
      await commits.close();
      await cache.close();
      await db.close();
    },
  };
}
