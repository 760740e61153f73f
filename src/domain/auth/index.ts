// Honcho-compatible bearer auth, independent of any protocol.
export { authenticate, checkAuthSettings, mintToken, type AuthSettings, type Claims } from "./tokens.js";
export { authorize, type Access, type Target } from "./policy.js";
