-- A database made by an earlier version of this service (its own layout:
-- public.schema_migrations 001_init..004_queue, a message_seq counter on
-- sessions, leases on queue, constraint names of its own). Its tables are
-- moved aside here; Honcho's tables are then created as for a new standalone
-- database, and 2-copy.sql moves every row over, ids, sequence numbers and
-- timestamps unchanged. All in the one migration transaction.
CREATE SCHEMA honcho_ingest_legacy;
ALTER TABLE {{honcho}}.workspaces SET SCHEMA honcho_ingest_legacy;
ALTER TABLE {{honcho}}.peers SET SCHEMA honcho_ingest_legacy;
ALTER TABLE {{honcho}}.sessions SET SCHEMA honcho_ingest_legacy;
ALTER TABLE {{honcho}}.session_peers SET SCHEMA honcho_ingest_legacy;
ALTER TABLE {{honcho}}.messages SET SCHEMA honcho_ingest_legacy;
ALTER TABLE {{honcho}}.schema_migrations SET SCHEMA honcho_ingest_legacy;
DO $$
BEGIN
  IF to_regclass('{{honcho}}.queue') IS NOT NULL THEN
    EXECUTE 'ALTER TABLE {{honcho}}.queue SET SCHEMA honcho_ingest_legacy';
  END IF;
  IF to_regclass('{{honcho}}.idempotency_keys') IS NOT NULL THEN
    EXECUTE 'ALTER TABLE {{honcho}}.idempotency_keys SET SCHEMA honcho_ingest_legacy';
  END IF;
END $$;
