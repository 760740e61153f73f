// An unusable DATA_DIR is refused at start-up with an error that names the
// setting, the directory in the way and the cure, not initdb's bare
// "Permission denied" (as root, the embedded PostgreSQL runs as "postgres").
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../src/store/embedded.js";

const root = os.userInfo().uid === 0;

describe("DATA_DIR", () => {
  it.runIf(root)("refuses a directory the postgres user cannot reach, naming it and the cure", async () => {
    const locked = await fs.mkdtemp(path.join(os.tmpdir(), "locked-"));
    await fs.chmod(locked, 0o700);
    try {
      await expect(startEmbeddedPostgres(path.join(locked, "data"), pino({ level: "silent" }))).rejects.toThrow(
        new RegExp(`DATA_DIR ${path.join(locked, "data")}: the embedded PostgreSQL runs as the user "postgres".*cannot enter ${locked} \\(mode 700\\).*chmod o\\+x`),
      );
    } finally {
      await fs.rm(locked, { recursive: true, force: true });
    }
  });

  it("refuses a directory that cannot be created, naming the setting", async () => {
    const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "file-")), "plain-file");
    await fs.writeFile(file, "");
    await expect(startEmbeddedPostgres(path.join(file, "data"), pino({ level: "silent" }))).rejects.toThrow(/DATA_DIR .*plain-file\/data cannot be created/);
  });
});
