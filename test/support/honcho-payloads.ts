// Queue rows judged by Honcho's own pydantic payload models: runs
// test/oracle/honcho_payloads.py (python3 with pydantic>=2) on them.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface QueueRowForCheck {
  task_type: string;
  work_unit_key: string;
  workspace_name: string | null;
  payload: unknown;
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** the scripts' exit code when pydantic>=2 cannot be imported */
const NO_PYDANTIC = 3;

/**
 * Runs a Python oracle of test/oracle (python3 with pydantic>=2) with `input`
 * as JSON on stdin and returns the JSON it prints, or "unavailable" when
 * python3 or pydantic>=2 is missing, so that a test can skip and say so. Any
 * other failure of the script throws.
 */
export function runPythonOracle<T>(script: string, input: unknown): Promise<T | "unavailable"> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.PYTHON ?? "python3", [script], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? resolve("unavailable") : reject(err)));
    child.on("close", (code) => {
      if (code === NO_PYDANTIC) return resolve("unavailable");
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${stderr}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`${script} printed no JSON: ${stdout}${stderr}`));
      }
    });
    // EPIPE when python3 exits before reading (e.g. no pydantic) is not an error here.
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(input));
  });
}

/**
 * The problems Honcho's models find in `rows` (an empty list when there are
 * none), or "unavailable" when python3 or pydantic>=2 is missing.
 */
export const checkWithHonchoModels = (rows: QueueRowForCheck[]) => runPythonOracle<string[]>("test/oracle/honcho_payloads.py", rows);
