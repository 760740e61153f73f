-- Every row of the earlier layout (moved aside by 1-aside.sql) into Honcho's
-- tables and this service's schema, then the old tables dropped.
INSERT INTO {{honcho}}.workspaces (id, name, created_at, metadata, configuration, internal_metadata)
SELECT id, name, created_at, metadata, configuration, internal_metadata FROM honcho_ingest_legacy.workspaces;
INSERT INTO {{honcho}}.peers (id, name, metadata, created_at, configuration, internal_metadata, workspace_name)
SELECT id, name, metadata, created_at, configuration, internal_metadata, workspace_name FROM honcho_ingest_legacy.peers;
INSERT INTO {{honcho}}.sessions (id, is_active, metadata, created_at, configuration, internal_metadata, workspace_name, name)
SELECT id, is_active, metadata, created_at, configuration, internal_metadata, workspace_name, name FROM honcho_ingest_legacy.sessions;
INSERT INTO {{honcho}}.session_peers (workspace_name, session_name, peer_name, configuration, internal_metadata, joined_at, left_at)
SELECT workspace_name, session_name, peer_name, configuration, internal_metadata, joined_at, left_at FROM honcho_ingest_legacy.session_peers;
INSERT INTO {{honcho}}.messages (id, public_id, content, metadata, created_at, peer_name, workspace_name, session_name, token_count, internal_metadata, seq_in_session)
OVERRIDING SYSTEM VALUE
SELECT id, public_id, content, metadata, created_at, peer_name, workspace_name, session_name, token_count, internal_metadata, seq_in_session FROM honcho_ingest_legacy.messages;
SELECT setval(pg_get_serial_sequence('{{honcho}}.messages', 'id'), coalesce(max(id), 0) + 1, false) FROM {{honcho}}.messages;
DO $$
BEGIN
  IF to_regclass('honcho_ingest_legacy.queue') IS NOT NULL THEN
    INSERT INTO {{honcho}}.queue (id, session_id, payload, processed, task_type, work_unit_key, error, created_at, workspace_name, message_id)
    OVERRIDING SYSTEM VALUE
    SELECT id, session_id, payload, processed, task_type, work_unit_key, error, created_at, workspace_name, message_id FROM honcho_ingest_legacy.queue;
    PERFORM setval(pg_get_serial_sequence('{{honcho}}.queue', 'id'), coalesce(max(id), 0) + 1, false) FROM {{honcho}}.queue;
  END IF;
  IF to_regclass('honcho_ingest_legacy.idempotency_keys') IS NOT NULL THEN
    INSERT INTO {{service}}.idempotency_keys (scope, key, request_hash, public_ids, created_at, expires_at)
    SELECT scope, key, request_hash, public_ids, created_at, expires_at FROM honcho_ingest_legacy.idempotency_keys
    ON CONFLICT DO NOTHING;
  END IF;
END $$;
DROP SCHEMA honcho_ingest_legacy CASCADE;
