// FastAPI + pydantic v2 validation, shared by every protocol.
export { MISSING, type Loc, type Validated, type ValidationIssue } from "./issues.js";
export { parseJsonBody, parseRequestBody } from "./python-json.js";
export { microsToIso } from "./datetime.js";
export { validateCreateMessages, NAME_PATTERN, type NewMessage, type ReasoningSetting, type ValidBatch } from "./create-messages.js";
