// Every core (WEB_CONCURRENCY): a primary process forks that many workers,
// each a whole service (its own pool, event loop and token workers) on the
// one port. The workers accept from the one listening socket themselves
// (SCHED_NONE): under Node's default round-robin the primary accepts each
// connection and hands it to a worker, and a connection handed to a worker
// that has just died is never answered nor closed; from the shared socket a
// connection no live worker has accepted waits in the kernel's queue for one
// that will. The primary itself serves nothing: it starts the embedded
// PostgreSQL when there is no DATABASE_URL (one for all), replaces a worker
// that dies, adds the workers' metrics up for /metrics, passes SIGHUP on,
// and on SIGTERM/SIGINT stops every worker gracefully, then the database.
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import client from "prom-client";
import type { Config } from "./config.js";
import { startEmbeddedPostgres } from "./store/embedded.js";
import { METRICS_ANSWER, METRICS_REQUEST } from "./transport/observe.js";

// a worker that dies this soon after it was forked, this many times in a row,
// is a start-up failure, not a crash: the primary gives up instead of looping
const EARLY_DEATH_MS = 10_000;
const EARLY_DEATHS = 3;

export async function runPrimary(cfg: Config, log: Logger): Promise<void> {
  cluster.schedulingPolicy = cluster.SCHED_NONE; // before the first fork
  const embedded = cfg.databaseUrl ? undefined : await startEmbeddedPostgres(cfg.dataDir, log);
  const env = { DATABASE_URL: cfg.databaseUrl ?? embedded!.url };
  const aggregator = new client.AggregatorRegistry();
  let stopping = false;
  let earlyDeaths = 0;

  const fork = () => {
    const worker = cluster.fork(env);
    const born = Date.now();
    worker.on("message", (m: { type?: string; id?: number }) => {
      if (m?.type !== METRICS_REQUEST) return;
      aggregator.clusterMetrics().then(
        (text) => worker.isConnected() && worker.send({ type: METRICS_ANSWER, id: m.id, text, contentType: aggregator.contentType }),
        (err: Error) => worker.isConnected() && worker.send({ type: METRICS_ANSWER, id: m.id, error: err.message }),
      );
    });
    worker.once("exit", (code, signal) => {
      if (stopping) return;
      earlyDeaths = Date.now() - born < EARLY_DEATH_MS ? earlyDeaths + 1 : 0;
      if (earlyDeaths >= EARLY_DEATHS) {
        log.fatal({ code, signal }, "workers keep dying as they start; giving up");
        void stop("workers failing", 1);
        return;
      }
      log.error({ pid: worker.process.pid, code, signal }, "worker died; starting another");
      fork();
    });
    return worker;
  };

  const workers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const stop = async (why: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ why, workers: workers().length }, "shutting down the workers");
    await Promise.all(
      workers().map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once("exit", () => resolve());
            w.process.kill("SIGTERM");
          }),
      ),
    );
    await embedded?.stop();
    log.info("stopped");
    process.exit(exitCode);
  };

  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGHUP", () => workers().forEach((w) => w.process.kill("SIGHUP")));
  log.info({ workers: cfg.webConcurrency }, "starting the workers");
  for (let i = 0; i < cfg.webConcurrency; i++) fork();
}
