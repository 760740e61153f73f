// GET and PUT .../peers/{peer_id}/card: the observer in the path, an optional
// `target` (query, any string: Honcho checks it only when a card is set), and
// for PUT Honcho's PeerCardSet body {peer_card: list[str]} with NUL removed
// from each string.
import { requiredBody } from "./bodies.js";
import { has, name, pathName } from "./fields.js";
import { issue, type Loc, type Validated, type ValidationIssue } from "./issues.js";
import { stripNul } from "./strings.js";
import { storable } from "./storable.js";

export interface PeerCardRef {
  workspaceId: string;
  /** the observer */
  peerId: string;
  /** the peer the card is about: the target, else the observer itself */
  observed: string;
}

const done = <T>(issues: ValidationIssue[], value: () => T): Validated<T> => (issues.length ? { ok: false, issues } : { ok: true, value: value() });

// target: str | None = Query(None)
function target(query: { target?: unknown }, issues: ValidationIssue[]): string | null | undefined {
  const t = query.target;
  if (t === undefined || t === null) return null;
  if (typeof t !== "string") return void issues.push(issue.stringType(["query", "target"], t));
  return t;
}

/** GET .../peers/{peer_id}/card?target= */
export function validatePeerCardGet(path: { workspace_id: unknown; peer_id: unknown }, query: { target?: unknown }): Validated<PeerCardRef> {
  const issues: ValidationIssue[] = [];
  const workspaceId = pathName(path.workspace_id, ["path", "workspace_id"], issues);
  const peerId = name(path.peer_id, ["path", "peer_id"], issues);
  const t = target(query, issues);
  return done(issues, () => ({ workspaceId: workspaceId!, peerId: peerId!, observed: t ?? peerId! }));
}

/** PUT .../peers/{peer_id}/card?target= with a PeerCardSet body. */
export function validatePeerCardSet(
  path: { workspace_id: unknown; peer_id: unknown },
  query: { target?: unknown },
  body: unknown,
): Validated<PeerCardRef & { card: string[] }> {
  const issues: ValidationIssue[] = [];
  const workspaceId = name(path.workspace_id, ["path", "workspace_id"], issues);
  const peerId = name(path.peer_id, ["path", "peer_id"], issues);
  const t = target(query, issues);
  const b = requiredBody(body, "PeerCardSet", issues);
  let card: string[] | undefined;
  if (b) {
    const loc: Loc = ["body", "peer_card"];
    if (!has(b, "peer_card")) issues.push(issue.missing(loc, b));
    else if (!Array.isArray(b.peer_card)) issues.push(issue.listType(loc, b.peer_card));
    else {
      const before = issues.length;
      b.peer_card.forEach((item: unknown, i: number) => {
        if (typeof item !== "string") issues.push(issue.stringType([...loc, i], item));
      });
      // pydantic's str takes an unpaired surrogate, which Honcho then fails
      // to store (500); here it is a 422 at the line that holds it
      if (issues.length === before) {
        card = (b.peer_card as string[]).map((s) => stripNul(s));
        card.forEach((s, i) => storable(s, [...loc, i], issues));
      }
    }
  }
  return done(issues, () => ({ workspaceId: workspaceId!, peerId: peerId!, observed: t ?? peerId!, card: card! }));
}
