// The time zone Honcho answers its timestamps in. psycopg hands Honcho every
// timestamptz in its session's TimeZone (PostgreSQL's setting for the
// database, the role or the server; UTC when Python's zoneinfo does not know
// the name), and pydantic writes the datetime in that offset: "Z" when it is
// zero, else ±HH:MM (seconds of an old local mean time cut off), the wall
// clock of that zone before it. The service reads the same setting at start
// (store/database.ts) and writes its REST answers the same way. Nearly every
// deployment runs in UTC, which keeps the plain path; a zone with offsets
// pays one Intl lookup per quarter hour of timestamps (cached).

type OffsetOf = (ms: number) => number;

/** the offset (seconds east of UTC) of the answer zone at an instant; undefined: UTC */
let offsetOf: OffsetOf | undefined;

// names that are UTC at every instant (Intl resolves some of them to others)
const UTC_NAMES = new Set(["UTC", "Etc/UTC", "UCT", "Etc/UCT", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"]);

/**
 * Answers in `zone` (PostgreSQL's TimeZone) from now on. False when no zone
 * of that name is known here: answers stay in UTC, as psycopg's do then.
 */
export function setAnswerZone(zone: string): boolean {
  if (UTC_NAMES.has(zone)) {
    offsetOf = undefined;
    return true;
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
  } catch {
    offsetOf = undefined;
    return false;
  }
  if (UTC_NAMES.has(format.resolvedOptions().timeZone)) {
    offsetOf = undefined;
    return true;
  }
  offsetOf = quarterHourCache((ms) => parseLongOffset(format.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "GMT"));
  return true;
}

/** The zone's offset (seconds east of UTC) at `ms`, or undefined when answers are in UTC. */
export const answerOffset = (ms: number): number | undefined => offsetOf?.(ms);

// "GMT", "GMT+05:30", "GMT-00:25:21"
function parseLongOffset(text: string): number {
  const m = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(text);
  if (!m || m[1] === undefined) return 0;
  const s = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === "-" ? -s : s;
}

// A zone changes its offset at most once in a quarter hour: where its start
// and end agree, every instant between has that offset.
function quarterHourCache(offsetAt: OffsetOf): OffsetOf {
  const QUARTER = 900_000;
  const cache = new Map<number, number | null>();
  return (ms) => {
    const q = Math.floor(ms / QUARTER);
    let known = cache.get(q);
    if (known === undefined) {
      const start = offsetAt(q * QUARTER);
      known = start === offsetAt(q * QUARTER + QUARTER - 1) ? start : null;
      if (cache.size >= 4096) cache.clear();
      cache.set(q, known);
    }
    return known ?? offsetAt(ms);
  };
}
