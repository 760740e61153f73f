// Process entry: config, logger, app, signals; with WEB_CONCURRENCY > 1 the
// first process only runs the workers (cluster.ts), each of which is this
// same service.
import cluster from "node:cluster";
import pino from "pino";
import prettyStream from "pino-pretty";
import { startApp } from "./app.js";
import { runPrimary } from "./cluster.js";
import { loadConfig } from "./config.js";
import { isArrayTypesLoadFailure } from "./store/database.js";

const cfg = loadConfig();
// Lines an operator reads on a terminal; JSON for everything else (files,
// collectors, pipes). LOG_FORMAT=json or pretty decides instead.
const pretty = cfg.logFormat === "pretty" || (cfg.logFormat === "auto" && process.stdout.isTTY);
const log = pino({ level: cfg.logLevel }, pretty ? prettyStream({ colorize: true, sync: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }) : undefined);

if (cfg.webConcurrency > 1 && cluster.isPrimary) {
  try {
    await runPrimary(cfg, log);
  } catch (err) {
    log.fatal({ err }, "failed to start");
    process.exit(1);
  }
} else {
  await serve();
}

async function serve(): Promise<void> {
  // Node's default (the process ends) for every unhandled rejection but the one
  // postgres.js leaves behind when loading array types fails (database.ts).
  process.on("unhandledRejection", (reason) => {
    if (isArrayTypesLoadFailure(reason)) {
      log.warn({ err: reason }, "postgres.js could not load array types on a new connection; that request failed, the service goes on");
      return;
    }
    log.fatal({ err: reason }, "unhandled promise rejection");
    process.exit(1);
  });

  try {
    const app = await startApp(cfg, log);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down");
      await app.stop();
      log.info("stopped");
      process.exit(0);
    };
    process.on("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGINT", () => void stop("SIGINT"));
    // reload, not stop: new TLS certificates, open connections untouched (with
    // TLS off there is nothing to reload, and the process goes on all the
    // same, as it must under cluster.ts, which passes SIGHUP to every worker)
    process.on("SIGHUP", () => {
      log.info({ signal: "SIGHUP" }, "reloading");
      void app.reload();
    });
  } catch (err) {
    log.fatal({ err }, "failed to start");
    process.exit(1);
  }
}
