// What a handler may know about the call it serves, whatever the protocol.
export interface CallContext {
  /** Request id, also on every log line of the call. */
  requestId: string;
  /** Aborted when the client goes away or the deadline passes. */
  signal: AbortSignal;
  /** Request headers / metadata (lower-case names). */
  headers: Headers;
}
