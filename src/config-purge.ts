// When this service purges deleted sessions and workspaces itself
// (src/store/deletion-purge.ts). Standalone, no Honcho deriver exists to do
// it, so it is on unless DELETION_PURGE=false; beside Honcho, Honcho's
// deriver does it, so it is off unless DELETION_PURGE=true.
import { parseBool } from "./config-honcho.js";

export interface PurgeSettings {
  /** DELETION_PURGE: undefined = on when standalone, off when attached */
  enabled?: boolean;
  /**
   * DELETION_PURGE_INTERVAL_MS: a look through the queue every this many ms
   * (default 10 000), for the deletions this process did not queue itself
   * (those it purges at once)
   */
  intervalMs: number;
}

export function loadPurgeSettings(env: Record<string, string | undefined>): PurgeSettings {
  const raw = env.DELETION_PURGE_INTERVAL_MS;
  const intervalMs = raw === undefined || raw === "" ? 10_000 : Number(raw);
  if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new Error(`DELETION_PURGE_INTERVAL_MS must be a positive integer, got ${JSON.stringify(raw)}`);
  const flag = env.DELETION_PURGE;
  return { enabled: flag === undefined || flag === "" ? undefined : parseBool("DELETION_PURGE", flag, false), intervalMs };
}

/** Whether to purge, for a database attached to Honcho's or standalone. */
export const purgeOn = (s: PurgeSettings, mode: "attached" | "standalone"): boolean => s.enabled ?? mode === "standalone";
