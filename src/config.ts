// Configuration from the environment; every setting has a safe default.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadHonchoSettings, parseBool, type HonchoSettings } from "./config-honcho.js";
import { loadPurgeSettings, type PurgeSettings } from "./config-purge.js";
import type { TlsFiles } from "./transport/tls.js";

// the repository: where package.json is, from src/ or from its build in dist/src/
const REPO_ROOT = ((dir: string): string => {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, "package.json"))) return d;
    if (d === path.dirname(d)) return path.resolve(dir, "..");
  }
})(path.dirname(fileURLToPath(import.meta.url)));

export interface Config {
  host: string;
  port: number;
  databaseUrl?: string;
  /** DATABASE_URL is a transaction-mode pooler (PgBouncer): no prepared statements, no session settings */
  databasePooled: boolean;
  /** a direct (session) connection for migrations and LISTEN, beside a pooled DATABASE_URL */
  databaseDirectUrl?: string;
  dataDir: string;
  poolSize: number;
  /** service processes on the one port (cluster.ts); 1: this process serves */
  webConcurrency: number;
  /** group commit: write groups in flight at once (0: every request written alone) */
  writeGroupSlots: number;
  /** WRITE_GROUP_MIN_MESSAGES: while a write group is in flight, another starts only once this many messages wait */
  writeGroupMinMessages: number;
  statementTimeoutMs: number;
  bodyLimitBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  shutdownGraceMs: number;
  logLevel: string;
  /** auto: pretty on a terminal, JSON otherwise */
  logFormat: "auto" | "json" | "pretty";
  authUseAuth: boolean;
  authJwtSecret?: string;
  idempotencyTtlSeconds: number;
  idempotencySweepMs: number;
  /** the schema of this service's own state (migrations, idempotency keys, claims, functions) */
  serviceSchema: string;
  /** Honcho's settings that decide what a write stores */
  honcho: HonchoSettings;
  /** CORS_ORIGINS: origins a browser may call from (Honcho's CORSMiddleware allow_origins) */
  corsOrigins: string[];
  /** the background purge of deleted sessions and workspaces */
  purge: PurgeSettings;
  /** TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE; unset: cleartext */
  tls?: TlsFiles;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    host: env.HOST || "127.0.0.1",
    port: int(env, "PORT", 8000),
    databaseUrl: env.DATABASE_URL || undefined,
    databasePooled: bool(env, "DATABASE_POOLED", false),
    databaseDirectUrl: env.DATABASE_DIRECT_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR || path.join(REPO_ROOT, "data")),
    poolSize: int(env, "DB_POOL_SIZE", 10),
    writeGroupSlots: int(env, "WRITE_GROUP_SLOTS", 2),
    writeGroupMinMessages: int(env, "WRITE_GROUP_MIN_MESSAGES", 8),
    webConcurrency: int(env, "WEB_CONCURRENCY", os.availableParallelism()) || 1,
    statementTimeoutMs: int(env, "DB_STATEMENT_TIMEOUT_MS", 15_000),
    // 100 messages of 25000 four-byte characters, as JSON, fit in 16 MiB.
    bodyLimitBytes: int(env, "BODY_LIMIT_BYTES", 16 * 1024 * 1024),
    headersTimeoutMs: int(env, "HEADERS_TIMEOUT_MS", 10_000),
    requestTimeoutMs: int(env, "REQUEST_TIMEOUT_MS", 30_000),
    idleTimeoutMs: int(env, "IDLE_TIMEOUT_MS", 120_000),
    shutdownGraceMs: int(env, "SHUTDOWN_GRACE_MS", 10_000),
    logLevel: env.LOG_LEVEL || "info",
    logFormat: oneOf(env, "LOG_FORMAT", ["auto", "json", "pretty"] as const, "auto"),
    // Honcho's setting names.
    authUseAuth: bool(env, "AUTH_USE_AUTH", false),
    authJwtSecret: env.AUTH_JWT_SECRET || undefined,
    idempotencyTtlSeconds: int(env, "IDEMPOTENCY_TTL_SECONDS", 86_400),
    idempotencySweepMs: int(env, "IDEMPOTENCY_SWEEP_MS", 60_000),
    serviceSchema: env.SERVICE_DB_SCHEMA || "honcho_ingest",
    honcho: loadHonchoSettings(env),
    corsOrigins: origins(env, "CORS_ORIGINS", ["http://localhost", "http://127.0.0.1:8000", "https://api.honcho.dev"]),
    purge: loadPurgeSettings(env),
    tls: tlsFiles(env),
  };
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  return parseBool(name, env[name], fallback);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

// Honcho's list[str] settings: pydantic-settings reads a JSON array of strings.
function origins(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || !list.every((o) => typeof o === "string")) {
    throw new Error(`${name} must be a JSON array of origins, like ["https://app.example.com"], got ${JSON.stringify(raw)}`);
  }
  return list;
}

// Both or neither: with one alone the service would serve cleartext to an
// operator who believes it serves TLS.
function tlsFiles(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  const clientCaFile = env.TLS_CLIENT_CA_FILE || undefined;
  if (!certFile && !keyFile) {
    if (clientCaFile) throw new Error("TLS_CLIENT_CA_FILE is set but TLS_CERT_FILE and TLS_KEY_FILE are not: client certificates are asked for in a TLS handshake, so TLS needs both");
    return undefined;
  }
  if (!certFile) throw new Error("TLS_KEY_FILE is set but TLS_CERT_FILE is not: set both (TLS) or neither (cleartext)");
  if (!keyFile) throw new Error("TLS_CERT_FILE is set but TLS_KEY_FILE is not: set both (TLS) or neither (cleartext)");
  return clientCaFile ? { certFile, keyFile, clientCaFile } : { certFile, keyFile };
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(env[name])}`);
  return raw as T;
}
