// ClaimWork and AckWork: consumers in any language take reasoning work.
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  AckWorkResponseSchema,
  ClaimWorkResponseSchema,
  type AckWorkRequest,
  type ClaimWorkRequest,
} from "../../gen/honcho/v3/queue_pb.js";
import { ValidationFailed } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { validateAck, validateClaim, type Validated } from "../domain/validation/index.js";
import type { CallContext } from "./context.js";
import type { Dependencies } from "./types.js";
import { timestampFromMicros } from "./shapes.js";

export function valid<T>(r: Validated<T>): T {
  if (!r.ok) throw new ValidationFailed(r.issues);
  return r.value;
}

export function queueHandlers({ queue }: Dependencies) {
  return {
    async claimWork(req: ClaimWorkRequest, _ctx: CallContext) {
      const v = valid(validateClaim(req));
      const rows = await queue.claim({ workspace: v.workspaceId, consumer: v.consumer, maxItems: v.maxItems, leaseSeconds: v.leaseSeconds, taskTypes: v.taskTypes, newClaimIds: Array.from({ length: v.maxItems }, newId) });
      return create(ClaimWorkResponseSchema, {
        items: rows.map((r) => ({
          id: BigInt(r.id),
          workUnitKey: r.work_unit_key,
          taskType: r.task_type,
          payload: r.payload as JsonObject,
          workspaceId: r.workspace_name,
          createdAt: timestampFromMicros(BigInt(r.created_micros)),
          leasedUntil: timestampFromMicros(BigInt(r.leased_micros)),
          messageId: r.message_public_id ?? "",
        })),
      });
    },
    async ackWork(req: AckWorkRequest, _ctx: CallContext) {
      const v = valid(validateAck(req));
      return create(AckWorkResponseSchema, { acknowledged: await queue.ack(v.workspaceId, v.consumer, v.ids, v.error) });
    },
  };
}
