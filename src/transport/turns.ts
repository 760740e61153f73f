// Cooperative turns for the heavy steps of big requests (parsing, validating
// and answering a 2.5 MB batch each take milliseconds). A step waits for its
// turn, and one step runs per event-loop iteration: when several big
// requests become ready at once, their steps interleave with timers and
// other sockets instead of running back to back (a bare setImmediate would
// run them all in the same check phase).
/** A body above this size is big: its heavy steps take turns. */
export const BIG_BODY_BYTES = 256 * 1024;

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
