// When the service purges deleted sessions and workspaces itself: on by
// default standalone (no Honcho deriver), off by default beside Honcho,
// DELETION_PURGE overriding either; DELETION_PURGE_INTERVAL_MS the pace.
import { describe, expect, it } from "vitest";
import { loadPurgeSettings, purgeOn } from "../../src/config-purge.js";

describe("deletion purge settings", () => {
  it("follow the database by default", () => {
    const s = loadPurgeSettings({});
    expect(s).toEqual({ enabled: undefined, intervalMs: 10_000 });
    expect(purgeOn(s, "standalone")).toBe(true);
    expect(purgeOn(s, "attached")).toBe(false);
  });

  it("are overridden by DELETION_PURGE, in pydantic's spellings", () => {
    expect(purgeOn(loadPurgeSettings({ DELETION_PURGE: "true" }), "attached")).toBe(true);
    expect(purgeOn(loadPurgeSettings({ DELETION_PURGE: "off" }), "standalone")).toBe(false);
    expect(purgeOn(loadPurgeSettings({ DELETION_PURGE: "" }), "standalone")).toBe(true);
    expect(() => loadPurgeSettings({ DELETION_PURGE: "sometimes" })).toThrow(/DELETION_PURGE must be true or false/);
  });

  it("take a positive interval", () => {
    expect(loadPurgeSettings({ DELETION_PURGE_INTERVAL_MS: "250" }).intervalMs).toBe(250);
    for (const bad of ["0", "-1", "1.5", "soon"]) expect(() => loadPurgeSettings({ DELETION_PURGE_INTERVAL_MS: bad })).toThrow(/DELETION_PURGE_INTERVAL_MS/);
  });
});
