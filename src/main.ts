// Process entry: config, logger, app, signals.
import pino from "pino";
import { startApp } from "./app.js";
import { loadConfig } from "./config.js";
import { isArrayTypesLoadFailure } from "./store/database.js";

const cfg = loadConfig();
const log = pino({ level: cfg.logLevel });

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
} catch (err) {
  log.fatal({ err }, "failed to start");
  process.exit(1);
}
