-- Group commit's fast path: every batch of a group that is in the steady
-- state, written by ONE statement (one messages INSERT and one queue INSERT
-- for all of them) instead of one pass of write_one each. In a group of single
-- messages most of a pass is fixed cost (its statements, their foreign-key
-- checks, its subtransaction), so this is what makes a busy service's
-- messages cheaper than one statement each.
--
-- Steady: the workspace and the session exist, the session is active, and
-- every sender of the batch is an active member. Anything else (a new
-- workspace, session, peer or member, an inactive session) is left to
-- write_one, which write_batches calls for the batches not written here.
--
-- The caller (write_batches) has taken every session's advisory lock in an
-- earlier statement, so this statement's snapshot already sees every batch
-- committed before the locks: max(seq_in_session) is the session's last, and
-- batches of one session in the group follow each other in batch order.
-- What is written is exactly what write_one writes for each batch (same
-- resolved configuration, observers, payloads, key order of queue rows).
--
-- Returns the messages written (batch, public id, created_at in epoch
-- microseconds), in batch then sequence order; a batch with no row here was
-- not written.
-- the signature before p_created_at_text (a call would be ambiguous)
DROP FUNCTION IF EXISTS {{service}}.write_steady(
  text[], text[], integer[], integer[], integer[], integer[], integer[], integer[], boolean[], text[],
  text[], text[], text[], text[], integer[], timestamptz[], text[], integer[], text[], jsonb, boolean, text[]);
CREATE OR REPLACE FUNCTION {{service}}.write_steady(
  b_ws text[], b_sess text[], b_msg_first integer[], b_msg_count integer[], b_peer_first integer[], b_peer_count integer[],
  b_chunk_first integer[], b_chunk_count integer[], b_todo boolean[],
  p_peer_names text[],
  p_public_ids text[], p_peer_of text[], p_contents text[], p_metadata text[], p_tokens integer[],
  p_created_at timestamptz[], p_configurations text[],
  p_chunk_of integer[], p_chunks text[],
  p_defaults jsonb, p_embed boolean,
  p_internal_metadata text[] DEFAULT NULL,
  -- per message: pydantic's text of the created_at it was given, where Honcho's payload holds another than UTC's
  p_created_at_text text[] DEFAULT NULL
) RETURNS TABLE (o_batch integer, o_public_id text, o_micros text)
LANGUAGE plpgsql AS $$
DECLARE
  w_batch integer[];
  w_id text[];
  w_micros text[];
BEGIN
  WITH b AS (
    SELECT k.i, b_ws[k.i] AS ws, b_sess[k.i] AS sess, b_msg_first[k.i] AS mf, b_msg_count[k.i] AS mc,
      p_peer_names[b_peer_first[k.i] : b_peer_first[k.i] + b_peer_count[k.i] - 1] AS senders
    FROM generate_subscripts(b_ws, 1) AS k(i)
    WHERE b_todo[k.i]
  ), steady AS (
    -- the session, its workspace and its last sequence number looked up per
    -- batch (LATERAL): as a join, the planner (which guesses a thousand
    -- batches from generate_subscripts) hashed the whole sessions table for
    -- every group, a cost that grew with the table
    SELECT b.*, s.s_id,
      {{service}}.apply_configuration({{service}}.apply_configuration(p_defaults, s.w_conf), s.s_conf) AS conf,
      s.last + coalesce(sum(b.mc) OVER (PARTITION BY b.ws, b.sess ORDER BY b.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS base
    FROM b
    CROSS JOIN LATERAL (
      SELECT s.id AS s_id, s.configuration AS s_conf, w.configuration AS w_conf,
        (SELECT coalesce(max(m.seq_in_session), 0) FROM {{honcho}}.messages m WHERE m.workspace_name = b.ws AND m.session_name = b.sess) AS last
      FROM {{honcho}}.sessions s
      JOIN {{honcho}}.workspaces w ON w.name = s.workspace_name
      WHERE s.name = b.sess AND s.workspace_name = b.ws AND s.is_active
      LIMIT 1 -- (name, workspace_name) is unique; the LIMIT also keeps the subquery from being flattened into a join
    ) s
    WHERE (SELECT count(*) FROM {{honcho}}.session_peers m
      WHERE m.workspace_name = b.ws AND m.session_name = b.sess AND m.peer_name = ANY (b.senders) AND m.left_at IS NULL) = cardinality(b.senders)
  ), observing AS (
    -- per batch (src/deriver/enqueue.py): the other active members that
    -- observe others, and the members not to be observed
    SELECT st.*, o.others, o.unobserved
    FROM steady st
    CROSS JOIN LATERAL (
      SELECT
        coalesce(array_agg(sp.peer_name ORDER BY sp.peer_name) FILTER (
          WHERE sp.left_at IS NULL AND coalesce({{service}}.py_bool(sp.configuration -> 'observe_others'), false)), '{}') AS others,
        coalesce(array_agg(sp.peer_name) FILTER (
          WHERE NOT coalesce({{service}}.py_bool(sp.configuration -> 'observe_me'), {{service}}.py_bool(p.configuration -> 'observe_me'), true)), '{}') AS unobserved
      FROM {{honcho}}.session_peers sp
      JOIN {{honcho}}.peers p ON p.name = sp.peer_name AND p.workspace_name = sp.workspace_name
      WHERE sp.workspace_name = st.ws AND sp.session_name = st.sess
    ) o
  ), m AS (
    SELECT ob.i AS batch, ob.ws, ob.sess, ob.s_id, ob.conf AS batch_conf, ob.others, ob.unobserved, ob.base + j.ord AS seq,
      p_public_ids[g] AS public_id, p_peer_of[g] AS peer_name, p_contents[g] AS content, p_metadata[g] AS metadata,
      p_tokens[g] AS token_count, p_created_at[g] AS created_in, p_configurations[g] AS configuration, p_internal_metadata[g] AS internal_metadata,
      p_created_at_text[g] AS created_at_text
    FROM observing ob
    CROSS JOIN LATERAL generate_series(1, ob.mc) AS j(ord)
    CROSS JOIN LATERAL (SELECT ob.mf + j.ord - 1 AS g) AS gi
  ), ins AS (
    INSERT INTO {{honcho}}.messages (public_id, session_name, peer_name, content, metadata, internal_metadata, workspace_name, token_count, created_at, seq_in_session)
    SELECT m.public_id, m.sess, m.peer_name, m.content, m.metadata::jsonb, coalesce(m.internal_metadata::jsonb, '{}'::jsonb), m.ws, m.token_count, coalesce(m.created_in, now()), m.seq
    FROM m ORDER BY m.batch, m.seq
    RETURNING id, public_id, created_at
  ), resolved AS (
    SELECT ins.id, ins.created_at, m.*,
      CASE WHEN m.configuration IS NULL THEN m.batch_conf ELSE {{service}}.apply_configuration(m.batch_conf, m.configuration::jsonb) END AS conf
    FROM ins JOIN m USING (public_id)
  ), work AS (
    -- per message: its summary (when due), then its representation
    INSERT INTO {{honcho}}.queue (work_unit_key, task_type, payload, session_id, workspace_name, message_id)
    SELECT w.key, w.task_type, w.payload, w.s_id, w.ws, w.message_id FROM (
      SELECT r.batch, r.seq, 1 AS k, {{service}}.summary_key(r.ws, r.sess) AS key, 'summary' AS task_type,
        {{service}}.summary_payload(r.sess, r.seq, r.conf, r.public_id) AS payload,
        r.id AS message_id, r.s_id, r.ws
      FROM resolved r
      WHERE {{service}}.summary_due(r.conf, r.seq)
      UNION ALL
      SELECT r.batch, r.seq, 2, {{service}}.representation_key(r.ws, r.sess, r.peer_name), 'representation',
        {{service}}.representation_payload(r.sess, r.content, r.peer_name, r.others, r.created_at, r.conf, r.created_at_text),
        r.id, r.s_id, r.ws
      FROM resolved r
      WHERE (r.conf -> 'reasoning' ->> 'enabled')::boolean AND NOT (r.peer_name = ANY (r.unobserved))
    ) w
    ORDER BY w.batch, w.seq, w.k
  )
  SELECT array_agg(r.batch ORDER BY r.batch, r.seq), array_agg(r.public_id ORDER BY r.batch, r.seq),
    array_agg({{service}}.epoch_micros(r.created_at) ORDER BY r.batch, r.seq)
  INTO w_batch, w_id, w_micros
  FROM resolved r;

  IF w_batch IS NULL THEN
    RETURN;
  END IF;

  -- pending embeddings (Honcho's EMBED_MESSAGES) of the batches written here:
  -- one row per chunk, in order (a null chunk is the content whole)
  IF p_embed THEN
    INSERT INTO {{honcho}}.message_embeddings (content, message_id, workspace_name, session_name, peer_name)
    SELECT coalesce(p_chunks[c.j], p_contents[c.g]), p_public_ids[c.g], b_ws[c.i], b_sess[c.i], p_peer_of[c.g]
    FROM (
      SELECT k.i, j, b_msg_first[k.i] + p_chunk_of[j] - 1 AS g
      FROM (SELECT DISTINCT x AS i FROM unnest(w_batch) AS x) AS k
      CROSS JOIN LATERAL generate_series(b_chunk_first[k.i], b_chunk_first[k.i] + b_chunk_count[k.i] - 1) AS j
    ) c
    ORDER BY c.i, c.j;
  END IF;

  RETURN QUERY SELECT u.b, u.id, u.mic FROM unnest(w_batch, w_id, w_micros) WITH ORDINALITY AS u(b, id, mic, ord) ORDER BY u.ord;
END
$$;
