-- The write path: message batches stored exactly as Honcho's create_messages
-- and enqueue store them (src/crud/message.py, src/crud/session.py,
-- src/deriver/enqueue.py), under Honcho's concurrency protocol, in ONE call:
-- one round trip and one transaction for everything a batch writes.
--
-- Honcho's protocol for a session's sequence numbers is
--   pg_advisory_xact_lock(hashtext(workspace), hashtext(session)), then
--   max(seq_in_session) + position in the batch,
-- which Honcho's server, this service and its replicas all follow, so that
-- seq_in_session stays unique and gapless whoever writes. A lock taken inside
-- one SQL statement does not refresh that statement's snapshot (it could read
-- a max() from before the lock); every statement of a PL/pgSQL function takes
-- a new snapshot, so the max() read after the lock sees every committed batch.
--
-- Where this differs from Honcho, on purpose:
-- - one transaction (Honcho commits the session, then the messages, then
--   enqueues the work after answering, and a failure there loses it);
-- - a member who posts again keeps its joined_at (Honcho sets it to now() on
--   every post, which hides the session's earlier messages from that peer's
--   peer_perspective searches); a member who had left rejoins as in Honcho;
-- - observers after the sender are ordered by name (Honcho's order is the
--   database's, unspecified);
-- - a configuration value of the wrong type is ignored (configuration.sql)
--   where Honcho would write no work for the whole batch.

-- The signatures before internal_metadata was added: a call with the new
-- arguments would otherwise be ambiguous between the two.
DROP FUNCTION IF EXISTS {{service}}.write_batches(
  text[], text[], text[], text[], integer[], integer[], integer[], integer[], integer[], integer[],
  text[], text[], text[], integer[], text[], text[], text[], text[], text[], text[], integer[],
  timestamptz[], text[], integer[], text[], jsonb, boolean, boolean);
DROP FUNCTION IF EXISTS {{service}}.write_one(
  text, text, text, text, text[], text[], text[], text[], text[], text[], integer[],
  timestamptz[], text[], integer[], text[], jsonb, boolean);

-- the signatures before p_created_at_text
DROP FUNCTION IF EXISTS {{service}}.write_batches(
  text[], text[], text[], text[], integer[], integer[], integer[], integer[], integer[], integer[],
  text[], text[], text[], integer[], text[], text[], text[], text[], text[], text[], integer[],
  timestamptz[], text[], integer[], text[], jsonb, boolean, boolean, text[]);
DROP FUNCTION IF EXISTS {{service}}.write_one(
  text, text, text, text, text[], text[], text[], text[], text[], text[], integer[],
  timestamptz[], text[], integer[], text[], jsonb, boolean, text[]);

-- One batch. Returns its messages (sequence number, public id, created_at in
-- epoch microseconds), or no row when the session exists and is inactive
-- (nothing is written then).
CREATE OR REPLACE FUNCTION {{service}}.write_one(
  p_ws text, p_sess text, p_ws_id text, p_sess_id text,
  p_peer_names text[], p_peer_ids text[],
  p_public_ids text[], p_peer_of text[], p_contents text[], p_metadata text[], p_tokens integer[],
  p_created_at timestamptz[], p_configurations text[],
  p_chunk_of integer[], p_chunks text[],
  p_defaults jsonb, p_embed boolean,
  -- per message: its internal_metadata (null: {}), e.g. an uploaded file's
  -- facts, written with the message (Honcho writes them in a later commit)
  p_internal_metadata text[] DEFAULT NULL,
  -- per message: pydantic's text of the created_at it was given, where
  -- Honcho's payload holds another than UTC's (an offset, or naive)
  p_created_at_text text[] DEFAULT NULL
) RETURNS TABLE (o_seq bigint, o_public_id text, o_micros text)
LANGUAGE plpgsql
-- generic plans, as under write_batches (below): the store also calls this
-- function directly, for a batch written alone with no idempotency key
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  w_conf jsonb;
  s_id text;
  s_active boolean;
  s_conf jsonb;
  base bigint;
  conf jsonb;
  members boolean;
  others text[] := '{}';
  unobserved text[] := '{}';
BEGIN
  -- Honcho's lock, the same for every writer of the session
  PERFORM pg_advisory_xact_lock(hashtext(p_ws), hashtext(p_sess));

  -- In the steady state (workspace, session and every sender's membership
  -- there) one read does it all: the configurations, the next sequence
  -- number, and who observes (src/deriver/enqueue.py: the sender, unless its
  -- observe_me (session's, else peer's, else true) is false; then the other
  -- active members whose session configuration has observe_others).
  SELECT w.configuration, s.id, s.is_active, s.configuration,
    (SELECT count(*) FROM {{honcho}}.session_peers m
      WHERE m.workspace_name = p_ws AND m.session_name = p_sess AND m.peer_name = ANY (p_peer_names) AND m.left_at IS NULL) = cardinality(p_peer_names),
    (SELECT coalesce(max(m.seq_in_session), 0) FROM {{honcho}}.messages m WHERE m.workspace_name = p_ws AND m.session_name = p_sess)
  INTO w_conf, s_id, s_active, s_conf, members, base
  FROM (SELECT 1) AS one
  LEFT JOIN {{honcho}}.workspaces w ON w.name = p_ws
  LEFT JOIN {{honcho}}.sessions s ON s.name = p_sess AND s.workspace_name = p_ws;

  -- get-or-create the workspace and the session (Honcho's defaults: empty
  -- metadata, configuration and internal_metadata)
  IF w_conf IS NULL THEN
    INSERT INTO {{honcho}}.workspaces (id, name) VALUES (p_ws_id, p_ws) ON CONFLICT DO NOTHING;
    SELECT w.configuration INTO w_conf FROM {{honcho}}.workspaces w WHERE w.name = p_ws;
  END IF;
  IF s_id IS NULL THEN
    INSERT INTO {{honcho}}.sessions (id, name, workspace_name) VALUES (p_sess_id, p_sess, p_ws) ON CONFLICT DO NOTHING;
    SELECT s.id, s.is_active, s.configuration INTO s_id, s_active, s_conf
      FROM {{honcho}}.sessions s WHERE s.name = p_sess AND s.workspace_name = p_ws;
  END IF;
  IF NOT s_active THEN
    RETURN; -- Honcho: 404, nothing written
  END IF;

  -- the senders: peers created if new, members of the session (new members
  -- and members who had left get Honcho's {"observe_me": null, "observe_others": null})
  IF NOT members THEN
    INSERT INTO {{honcho}}.peers (id, name, workspace_name)
    SELECT i.id, i.name, p_ws FROM unnest(p_peer_ids, p_peer_names) AS i(id, name)
    WHERE NOT EXISTS (SELECT 1 FROM {{honcho}}.peers p WHERE p.name = i.name AND p.workspace_name = p_ws)
    ON CONFLICT DO NOTHING;
    INSERT INTO {{honcho}}.session_peers AS sp (session_name, peer_name, workspace_name, joined_at, left_at, configuration)
    SELECT p_sess, n.name, p_ws, now(), NULL, '{"observe_me": null, "observe_others": null}'::jsonb
    FROM unnest(p_peer_names) AS n(name)
    WHERE NOT EXISTS (
      SELECT 1 FROM {{honcho}}.session_peers m
      WHERE m.workspace_name = p_ws AND m.session_name = p_sess AND m.peer_name = n.name AND m.left_at IS NULL)
    ON CONFLICT (session_name, peer_name, workspace_name) DO UPDATE
      SET joined_at = now(), left_at = NULL, configuration = EXCLUDED.configuration
      WHERE sp.left_at IS NOT NULL;
  END IF;

  conf := {{service}}.apply_configuration({{service}}.apply_configuration(p_defaults, w_conf), s_conf);

  IF (conf -> 'reasoning' ->> 'enabled')::boolean OR EXISTS (SELECT 1 FROM unnest(p_configurations) c WHERE c IS NOT NULL) THEN
    SELECT
      coalesce(array_agg(sp.peer_name ORDER BY sp.peer_name) FILTER (
        WHERE sp.left_at IS NULL AND coalesce({{service}}.py_bool(sp.configuration -> 'observe_others'), false)), '{}'),
      coalesce(array_agg(sp.peer_name) FILTER (
        WHERE NOT coalesce({{service}}.py_bool(sp.configuration -> 'observe_me'), {{service}}.py_bool(p.configuration -> 'observe_me'), true)), '{}')
    INTO others, unobserved
    FROM {{honcho}}.session_peers sp
    JOIN {{honcho}}.peers p ON p.name = sp.peer_name AND p.workspace_name = sp.workspace_name
    WHERE sp.workspace_name = p_ws AND sp.session_name = p_sess;
  END IF;

  RETURN QUERY
  WITH m AS (
    SELECT * FROM unnest(p_public_ids, p_peer_of, p_contents, p_metadata, p_tokens, p_created_at, p_configurations, p_internal_metadata, p_created_at_text)
      WITH ORDINALITY AS m(public_id, peer_name, content, metadata, token_count, created_at, configuration, internal_metadata, created_at_text, ord)
    -- a null or short p_internal_metadata or p_created_at_text pads with nulls: no rows of its own
    WHERE m.public_id IS NOT NULL
  ), ins AS (
    INSERT INTO {{honcho}}.messages (public_id, session_name, peer_name, content, metadata, internal_metadata, workspace_name, token_count, created_at, seq_in_session)
    SELECT m.public_id, p_sess, m.peer_name, m.content, m.metadata::jsonb, coalesce(m.internal_metadata::jsonb, '{}'::jsonb), p_ws, m.token_count, coalesce(m.created_at, now()), base + m.ord
    FROM m ORDER BY m.ord
    RETURNING id, public_id, peer_name, content, created_at, seq_in_session
  ), resolved AS (
    SELECT ins.*, m.ord, m.created_at_text,
      CASE WHEN m.configuration IS NULL THEN conf ELSE {{service}}.apply_configuration(conf, m.configuration::jsonb) END AS conf
    FROM ins JOIN m USING (public_id)
  ), work AS (
    -- per message: its summary (when due), then its representation
    INSERT INTO {{honcho}}.queue (work_unit_key, task_type, payload, session_id, workspace_name, message_id)
    SELECT w.key, w.task_type, w.payload, s_id, p_ws, w.message_id FROM (
      SELECT r.ord, 1 AS k, {{service}}.summary_key(p_ws, p_sess) AS key, 'summary' AS task_type,
        {{service}}.summary_payload(p_sess, r.seq_in_session, r.conf, r.public_id) AS payload,
        r.id AS message_id
      FROM resolved r
      WHERE {{service}}.summary_due(r.conf, r.seq_in_session)
      UNION ALL
      SELECT r.ord, 2, {{service}}.representation_key(p_ws, p_sess, r.peer_name), 'representation',
        {{service}}.representation_payload(p_sess, r.content, r.peer_name, others, r.created_at, r.conf, r.created_at_text),
        r.id
      FROM resolved r
      WHERE (r.conf -> 'reasoning' ->> 'enabled')::boolean AND NOT (r.peer_name = ANY (unobserved))
    ) w
    ORDER BY w.ord, w.k
  )
  SELECT ins.seq_in_session, ins.public_id, {{service}}.epoch_micros(ins.created_at) FROM ins;

  -- pending embeddings (Honcho's EMBED_MESSAGES): one row per chunk, in
  -- order (a null chunk is the content whole); Honcho embeds them
  IF p_embed AND cardinality(p_chunks) > 0 THEN
    INSERT INTO {{honcho}}.message_embeddings (content, message_id, workspace_name, session_name, peer_name)
    SELECT coalesce(c.content, p_contents[c.msg]), p_public_ids[c.msg], p_ws, p_sess, p_peer_of[c.msg]
    FROM unnest(p_chunk_of, p_chunks) WITH ORDINALITY AS c(msg, content, ord)
    ORDER BY c.ord;
  END IF;
END
$$;

-- Many batches (from one request or several) in one transaction. Every
-- batch's idempotency key is taken first, then every session's lock, each in
-- a fixed order, so that two calls over the same keys and sessions cannot
-- deadlock. A batch with a key already used answers 'replay' (the ids first
-- stored) or 'conflict' (another request) and writes nothing. With p_isolate,
-- a batch that fails is rolled back alone ('failed', with its SQLSTATE) and
-- the others are still written.
-- Rows: (batch, status, public_id, micros); status 'stored' (one row per
-- message), 'inactive', 'replay' (one row per id), 'conflict', 'failed'.
CREATE OR REPLACE FUNCTION {{service}}.write_batches(
  b_ws text[], b_sess text[], b_ws_id text[], b_sess_id text[],
  b_msg_first integer[], b_msg_count integer[], b_peer_first integer[], b_peer_count integer[],
  b_chunk_first integer[], b_chunk_count integer[],
  b_key_scope text[], b_key text[], b_key_hash text[], b_key_ttl integer[],
  p_peer_names text[], p_peer_ids text[],
  p_public_ids text[], p_peer_of text[], p_contents text[], p_metadata text[], p_tokens integer[],
  p_created_at timestamptz[], p_configurations text[],
  p_chunk_of integer[], p_chunks text[],
  p_defaults jsonb, p_embed boolean, p_isolate boolean,
  -- per message, parallel to p_public_ids: its internal_metadata (null: {})
  p_internal_metadata text[] DEFAULT NULL,
  -- per message: created_at as the request wrote it, for the queue payload (write_one)
  p_created_at_text text[] DEFAULT NULL
) RETURNS TABLE (batch integer, status text, public_id text, micros text)
LANGUAGE plpgsql
-- Generic plans for every statement of this function and the ones it calls
-- (write_one, write_steady): their statements look rows up by key and by
-- index whatever the arguments (test/e2e/group-fast-path.test.ts checks the
-- generic plans), and PostgreSQL's default re-planned some of them for their
-- arguments on every call, which was most of a lone write's CPU (0.9-1.3 against
-- 1.45-2.2 ms of backend CPU per single message written alone).
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  n integer := cardinality(b_ws);
  i integer;
  mf integer; ml integer; pf integer; pl integer; cf integer; cl integer;
  key_state text[] := array_fill(NULL::text, ARRAY[n]);
  seen record;
  ids text[];
  mics text[];
  got integer;
  todo boolean[]; -- the batches to write: keyless, or their key is ours
  written boolean[] := array_fill(false, ARRAY[n]);
  s_batch integer[];
  s_id text[];
  s_micros text[];
BEGIN
  -- idempotency keys, in key order: new or expired → ours; held by an
  -- attempt in flight → wait for it (the INSERT waits on its row)
  FOR i IN SELECT k.i FROM generate_subscripts(b_ws, 1) AS k(i) WHERE b_key_scope[k.i] IS NOT NULL ORDER BY b_key_scope[k.i], b_key[k.i] LOOP
    INSERT INTO {{service}}.idempotency_keys AS k (scope, key, request_hash, expires_at)
    VALUES (b_key_scope[i], b_key[i], b_key_hash[i], now() + make_interval(secs => b_key_ttl[i]))
    ON CONFLICT (scope, key) DO UPDATE
      SET request_hash = EXCLUDED.request_hash, public_ids = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
      WHERE k.expires_at < now();
    GET DIAGNOSTICS got = ROW_COUNT;
    IF got > 0 THEN
      key_state[i] := 'mine';
    ELSE
      SELECT k.request_hash, k.public_ids INTO seen FROM {{service}}.idempotency_keys k WHERE k.scope = b_key_scope[i] AND k.key = b_key[i];
      IF seen.request_hash = b_key_hash[i] THEN
        key_state[i] := 'replay';
        RETURN QUERY SELECT i, 'replay'::text, u.id, NULL::text FROM unnest(seen.public_ids) WITH ORDINALITY AS u(id, ord) ORDER BY u.ord;
      ELSE
        key_state[i] := 'conflict';
        RETURN QUERY SELECT i, 'conflict'::text, NULL::text, NULL::text;
      END IF;
    END IF;
  END LOOP;

  todo := array(SELECT key_state[k.i] IS NULL OR key_state[k.i] = 'mine' FROM generate_subscripts(b_ws, 1) AS k(i) ORDER BY k.i);

  -- every session's lock, in one order (write_one takes them again: free)
  PERFORM pg_advisory_xact_lock(l.a, l.b) FROM (
    SELECT DISTINCT hashtext(b_ws[k.i]) AS a, hashtext(b_sess[k.i]) AS b
    FROM generate_subscripts(b_ws, 1) AS k(i)
    WHERE todo[k.i]
    ORDER BY 1, 2) l;

  -- a group: its steady batches in one statement (write-steady.sql); should
  -- that fail, it is undone and every batch goes its own way below
  IF p_isolate AND n > 1 THEN
    BEGIN
      SELECT array_agg(s.b ORDER BY s.ord), array_agg(s.id ORDER BY s.ord), array_agg(s.mic ORDER BY s.ord)
      INTO s_batch, s_id, s_micros
      FROM {{service}}.write_steady(
        b_ws, b_sess, b_msg_first, b_msg_count, b_peer_first, b_peer_count, b_chunk_first, b_chunk_count, todo,
        p_peer_names, p_public_ids, p_peer_of, p_contents, p_metadata, p_tokens, p_created_at, p_configurations,
        p_chunk_of, p_chunks, p_defaults, p_embed, p_internal_metadata, p_created_at_text) WITH ORDINALITY AS s(b, id, mic, ord);
    EXCEPTION WHEN OTHERS THEN
      s_batch := NULL;
    END;
    IF s_batch IS NOT NULL THEN
      FOR i IN SELECT DISTINCT x FROM unnest(s_batch) AS x LOOP
        written[i] := true;
      END LOOP;
      RETURN QUERY SELECT u.b, 'stored'::text, u.id, u.mic FROM unnest(s_batch, s_id, s_micros) WITH ORDINALITY AS u(b, id, mic, ord) ORDER BY u.ord;
    END IF;
  END IF;

  FOR i IN 1 .. n LOOP
    CONTINUE WHEN NOT todo[i];
    mf := b_msg_first[i]; ml := mf + b_msg_count[i] - 1;
    IF NOT written[i] THEN
      pf := b_peer_first[i]; pl := pf + b_peer_count[i] - 1;
      cf := b_chunk_first[i]; cl := cf + b_chunk_count[i] - 1;
      ids := NULL;
      mics := NULL;
      IF p_isolate THEN
        BEGIN
          SELECT array_agg(w.o_public_id ORDER BY w.o_seq), array_agg(w.o_micros ORDER BY w.o_seq) INTO ids, mics
          FROM {{service}}.write_one(
            b_ws[i], b_sess[i], b_ws_id[i], b_sess_id[i], p_peer_names[pf:pl], p_peer_ids[pf:pl],
            p_public_ids[mf:ml], p_peer_of[mf:ml], p_contents[mf:ml], p_metadata[mf:ml], p_tokens[mf:ml],
            p_created_at[mf:ml], p_configurations[mf:ml], p_chunk_of[cf:cl], p_chunks[cf:cl], p_defaults, p_embed,
            p_internal_metadata[mf:ml], p_created_at_text[mf:ml]) w;
        EXCEPTION WHEN OTHERS THEN
          IF key_state[i] = 'mine' THEN
            DELETE FROM {{service}}.idempotency_keys k WHERE k.scope = b_key_scope[i] AND k.key = b_key[i];
          END IF;
          RETURN QUERY SELECT i, 'failed'::text, SQLSTATE::text, SQLERRM::text;
          CONTINUE;
        END;
      ELSE
        SELECT array_agg(w.o_public_id ORDER BY w.o_seq), array_agg(w.o_micros ORDER BY w.o_seq) INTO ids, mics
        FROM {{service}}.write_one(
          b_ws[i], b_sess[i], b_ws_id[i], b_sess_id[i], p_peer_names[pf:pl], p_peer_ids[pf:pl],
          p_public_ids[mf:ml], p_peer_of[mf:ml], p_contents[mf:ml], p_metadata[mf:ml], p_tokens[mf:ml],
          p_created_at[mf:ml], p_configurations[mf:ml], p_chunk_of[cf:cl], p_chunks[cf:cl], p_defaults, p_embed,
          p_internal_metadata[mf:ml], p_created_at_text[mf:ml]) w;
      END IF;
      IF ids IS NULL THEN
        -- inactive session: nothing written; a key is not kept for it
        IF key_state[i] = 'mine' THEN
          DELETE FROM {{service}}.idempotency_keys k WHERE k.scope = b_key_scope[i] AND k.key = b_key[i];
        END IF;
        RETURN QUERY SELECT i, 'inactive'::text, NULL::text, NULL::text;
        CONTINUE;
      END IF;
      RETURN QUERY SELECT i, 'stored'::text, u.id, u.micros FROM unnest(ids, mics) AS u(id, micros);
    END IF;
    -- stored, here or by write_steady above: its key keeps the ids
    IF key_state[i] = 'mine' THEN
      UPDATE {{service}}.idempotency_keys k SET public_ids = p_public_ids[mf:ml] WHERE k.scope = b_key_scope[i] AND k.key = b_key[i];
    END IF;
  END LOOP;
END
$$;
