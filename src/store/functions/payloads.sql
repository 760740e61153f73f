-- What write_one (write-batches.sql) and write_steady (write-steady.sql) both
-- write for a message, in one place: its created_at as the store hands it
-- out, and its queue items as Honcho's enqueue makes them
-- (src/deriver/enqueue.py, src/utils/queue_payload.py). Plain SQL functions
-- of one expression, which PostgreSQL inlines into the statements that call
-- them: no call per row.

-- created_at as exact epoch microseconds, as text (store/micros.ts does the
-- same for the statements built in TypeScript)
CREATE OR REPLACE FUNCTION {{service}}.epoch_micros(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (extract(epoch FROM ts) * 1000000)::bigint::text
$$;

-- whether a message's sequence number is due a summary under its resolved
-- configuration (a period of 0 never is)
CREATE OR REPLACE FUNCTION {{service}}.summary_due(conf jsonb, seq bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (conf -> 'summary' ->> 'enabled')::boolean
    AND (seq % nullif((conf -> 'summary' ->> 'messages_per_short_summary')::bigint, 0) = 0
      OR seq % nullif((conf -> 'summary' ->> 'messages_per_long_summary')::bigint, 0) = 0)
$$;

CREATE OR REPLACE FUNCTION {{service}}.summary_key(ws text, sess text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'summary:' || ws || ':' || sess || ':None:None'
$$;

CREATE OR REPLACE FUNCTION {{service}}.summary_payload(sess text, seq bigint, conf jsonb, public_id text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object('task_type', 'summary', 'session_name', sess, 'message_seq_in_session', seq,
    'configuration', conf, 'message_public_id', public_id)
$$;

CREATE OR REPLACE FUNCTION {{service}}.representation_key(ws text, sess text, peer text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'representation:' || ws || ':' || sess || ':' || peer
$$;

-- observers: the sender first, then the other members that observe others;
-- created_at as Honcho's payload holds the message's datetime: the text a
-- request gave (pydantic's, in its offset or naive: created_at_text), else
-- the stored instant in UTC
DROP FUNCTION IF EXISTS {{service}}.representation_payload(text, text, text, text[], timestamptz, jsonb);
CREATE OR REPLACE FUNCTION {{service}}.representation_payload(sess text, content text, peer text, others text[], created_at timestamptz, conf jsonb, created_at_text text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object('task_type', 'representation', 'session_name', sess, 'content', content,
    'observers', to_jsonb(ARRAY[peer] || array_remove(others, peer)), 'observed', peer,
    'created_at', coalesce(created_at_text, {{service}}.py_datetime(created_at)), 'configuration', conf)
$$;
