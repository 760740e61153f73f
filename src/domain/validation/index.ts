// FastAPI + pydantic v2 validation, shared by every protocol.
export { fastApiCanRender, issue, MISSING, RawBody, type Loc, type Validated, type ValidationIssue } from "./issues.js";
export { admitting } from "./fields.js";
export { parseJsonBody, parseJsonBytes, parseRequestBody } from "./python-json.js";
export { microsToIso, splitMicros } from "./datetime.js";
export { validateCreateMessages, type NewMessage, type ValidBatch } from "./create-messages.js";
export { validateMessageList, validateMessageRef, validateMessageUpdate } from "./resources.js";
export { validatePeerCreate, validateSessionCreate, validateWorkspaceCreate } from "./get-or-create.js";
export { validateAck, validateClaim, validateWatch } from "./queue.js";
