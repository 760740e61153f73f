-- This service's own state, in its own schema ({{service}}), never in
-- Honcho's tables.

-- Idempotent retries: a key remembers the request it was first used with
-- (a hash) and the messages that request stored, so that a retry answers
-- the same messages instead of storing them again.
CREATE TABLE {{service}}.idempotency_keys (
  scope text NOT NULL,          -- the RPC and the session it wrote to
  key text NOT NULL,
  request_hash text NOT NULL,
  public_ids text[],            -- null while the first attempt is in flight
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX ix_idempotency_keys_expires_at ON {{service}}.idempotency_keys (expires_at);

-- Work units claimed through Honcho's protocol (a row in Honcho's
-- active_queue_sessions) by a ClaimWork consumer of this service: who holds
-- it and until when. Honcho's own table says only that a unit is taken.
CREATE TABLE {{service}}.claims (
  work_unit_key text PRIMARY KEY,
  claim_id text NOT NULL,       -- active_queue_sessions.id
  workspace_name text NOT NULL,
  consumer text NOT NULL,
  leased_until timestamptz NOT NULL
);
CREATE INDEX ix_claims_leased_until ON {{service}}.claims (leased_until);
CREATE INDEX ix_claims_consumer ON {{service}}.claims (workspace_name, consumer);
