// FastAPI + pydantic v2 validation, shared by every protocol.
export { fastApiCanRender, MISSING, type Loc, type Validated, type ValidationIssue } from "./issues.js";
export { parseJsonBody, parseRequestBody } from "./python-json.js";
export { microsToDate, microsToIso, splitMicros } from "./datetime.js";
export { validateCreateMessages, type NewMessage, type ReasoningSetting, type ValidBatch } from "./create-messages.js";
export { NAME_PATTERN } from "./fields.js";
export {
  validateMessageList,
  validateMessageRef,
  validateMessageUpdate,
  validatePeerCreate,
  validateSessionCreate,
  validateWorkspaceCreate,
  type MessageQuery,
  type MessageRef,
  type ResourceInput,
} from "./resources.js";
export { validateAck, validateClaim, validateWatch, type AckInput, type ClaimInput, type WatchInput } from "./queue.js";
