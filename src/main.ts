// Process entry: config, logger, app, signals.
import pino from "pino";
import { startApp } from "./app.js";
import { loadConfig } from "./config.js";

const cfg = loadConfig();
const log = pino({ level: cfg.logLevel });

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
