// Deleting a session or a workspace, as Honcho's routes do it at request time
// (src/routers/sessions.py delete_session, src/routers/workspaces.py
// delete_workspace, src/deriver/enqueue.py enqueue_deletion): in one
// transaction, the session is marked inactive and a `deletion` row is queued,
// or (workspace) the absence of active sessions is checked and the row
// queued. What is deleted is purged later by whoever processes the queue
// (Honcho's deriver, or deletion-purge.ts), which hears of every deletion
// queued here once it has committed (`onQueued`), so that it need not look
// through the whole queue to find it.
//
// The session delete takes Honcho's session lock
// (pg_advisory_xact_lock(hashtext(workspace), hashtext(session)), the one
// every message writer takes before it reads the session), so a batch being
// written to the session either commits first (and is purged with it) or
// reads the session after this commit, finds it inactive, and is refused
// (404). Honcho takes no lock here: a batch could commit into a session
// already marked deleted.
import type { Sql } from "postgres";
import type { Tables } from "./schema.js";

export type WorkspaceDeletion = "accepted" | "missing" | "active_sessions";

export interface Deletes {
  /** false when there is no active session of that name */
  session(workspace: string, session: string): Promise<boolean>;
  workspace(workspace: string): Promise<WorkspaceDeletion>;
}

/** Honcho's work_unit_key and payload of a deletion task (src/utils/work_unit.py, queue_payload.py). */
export function deletionTask(workspace: string, type: "session" | "workspace", resource: string) {
  return {
    workUnitKey: `deletion:${workspace}:${type}:${resource}`,
    payload: JSON.stringify({ task_type: "deletion", deletion_type: type, resource_id: resource }),
  };
}

/** `onQueued` hears the work_unit_key of each deletion queued, after its commit. */
export function createDeletes(sql: Sql, t: Tables, onQueued: (workUnitKey: string) => void = () => {}): Deletes {
  const enqueue = (q: Sql, workspace: string, task: ReturnType<typeof deletionTask>) => q`
    INSERT INTO ${t.queue} (work_unit_key, task_type, payload, session_id, workspace_name, message_id)
    VALUES (${task.workUnitKey}, 'deletion', ${task.payload}::text::jsonb, NULL, ${workspace}, NULL)`;
  return {
    async session(workspace, session) {
      const task = deletionTask(workspace, "session", session);
      const queued = (await sql.begin(async (tx) => {
        const q = tx as unknown as Sql;
        await q`SELECT pg_advisory_xact_lock(hashtext(${workspace}), hashtext(${session}))`;
        const marked = await q`
          UPDATE ${t.sessions} SET is_active = false
          WHERE workspace_name = ${workspace} AND name = ${session} AND is_active
          RETURNING id`;
        if (marked.length === 0) return false;
        await enqueue(q, workspace, task);
        return true;
      })) as boolean;
      if (queued) onQueued(task.workUnitKey);
      return queued;
    },

    async workspace(workspace) {
      const task = deletionTask(workspace, "workspace", workspace);
      const outcome = (await sql.begin(async (tx) => {
        const q = tx as unknown as Sql;
        const [state] = await q<{ active: boolean }[]>`
          SELECT EXISTS (SELECT 1 FROM ${t.sessions} s WHERE s.workspace_name = w.name AND s.is_active) AS active
          FROM ${t.workspaces} w WHERE w.name = ${workspace}`;
        if (!state) return "missing";
        if (state.active) return "active_sessions";
        await enqueue(q, workspace, task);
        return "accepted";
      })) as WorkspaceDeletion;
      if (outcome === "accepted") onQueued(task.workUnitKey);
      return outcome;
    },
  };
}
