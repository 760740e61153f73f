-- Idempotent retries: a key remembers the request it was first used with
-- (a hash) and the messages that request stored, so that a retry answers
-- the same messages instead of storing them again.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope text NOT NULL,          -- the RPC and the session it wrote to
  key text NOT NULL,
  request_hash text NOT NULL,
  public_ids text[],            -- null while the first attempt is in flight
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS ix_idempotency_keys_expires_at ON idempotency_keys (expires_at);
