// Cooperative turns for the heavy steps of big requests (parsing, validating
// and answering a 2.5 MB batch each take milliseconds). A step waits for its
// turn, and one step runs per event-loop iteration: when several big
// requests become ready at once, their steps interleave with timers and
// other sockets instead of running back to back (a bare setImmediate would
// run them all in the same check phase).
import { pythonJson } from "../json/exact-numbers.js";

/**
 * A REST or Connect body above this size is big: its parse takes turns.
 * 16 KiB puts a batch of 100 × 250 characters (about 30 KB) in turns and
 * leaves single messages and the mix's batches of 20 (6 KB) on the direct
 * path. Against 256 KiB, A/B at 16 in flight: event-loop p99 down
 * 0.6–2.8 ms at the same rate (docs/performance.md, "Turns from 16 KiB").
 * gRPC does not take turns: tried (with a turn after the handler too), its
 * rate fell 7–13 %.
 */
export const BIG_BODY_BYTES = 16 * 1024;

/**
 * The answer to a body above this size is made in parts (jsonInTurns), not
 * as one JSON string: a batch's answer carries its contents back, and V8
 * puts every string over 128 KiB on fresh memory pages (a page fault each
 * 4 KiB, about 1 ms per 250 KB on a virtual machine) before it is copied
 * again as UTF-8. Parts of an item each stay in the ordinary heap.
 */
export const ANSWER_IN_PARTS_BYTES = 64 * 1024;

const waiting: (() => void)[] = [];
let armed = false;

function runOne(): void {
  armed = false;
  waiting.shift()?.(); // its continuation runs in the microtasks right after this
  if (waiting.length > 0) arm();
}

function arm(): void {
  armed = true;
  setImmediate(runOne);
}

/** Resolves in a later event-loop iteration, one waiter per iteration, first come first served. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!armed) arm();
  });
}

const TURN_BYTES = 256 * 1024;

/**
 * JSON.stringify(value) as UTF-8, made an array item at a time (the value's
 * own items, or those of its members' arrays), taking a turn every 256 KiB:
 * a 2.5 MB answer in one piece held the event loop for milliseconds.
 * `write` spells each part (exact-numbers.ts: json.dumps's or pydantic's numbers).
 */
export async function jsonInTurns(value: unknown, write: (v: unknown) => string = pythonJson): Promise<Buffer> {
  const parts: Buffer[] = [];
  let pending = 0;
  const push = async (text: string) => {
    const part = Buffer.from(text);
    parts.push(part);
    pending += part.length;
    if (pending > TURN_BYTES) {
      pending = 0;
      await nextTurn();
    }
  };
  const list = async (items: unknown[]) => {
    if (items.length === 0) return push("[]");
    for (let i = 0; i < items.length; i++) await push((i === 0 ? "[" : ",") + write(items[i]));
    await push("]");
  };
  if (Array.isArray(value)) await list(value);
  else if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON !== "function") {
    let open = "{";
    for (const [key, member] of Object.entries(value)) {
      const name = `${open}${JSON.stringify(key)}:`;
      if (Array.isArray(member)) {
        await push(name);
        await list(member);
      } else {
        if (member === undefined || typeof member === "function") continue; // as JSON.stringify leaves them out
        const text = write(member);
        await push(name + text);
      }
      open = ",";
    }
    await push(open === "{" ? "{}" : "}");
  } else await push(JSON.stringify(value) ?? "null");
  return Buffer.concat(parts);
}
