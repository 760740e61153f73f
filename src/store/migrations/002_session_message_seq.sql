-- The last seq_in_session handed out, kept on the session row. Bumping it in
-- the same statement that inserts the batch serialises writers to one session
-- on that row's lock and keeps sequences gapless (a rolled-back batch rolls
-- the counter back too), without Honcho's advisory lock and max() query.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS message_seq bigint NOT NULL DEFAULT 0;

-- A Honcho database brought over starts from the sequences it already has.
UPDATE sessions s
SET message_seq = m.last
FROM (
  SELECT workspace_name, session_name, max(seq_in_session) AS last
  FROM messages GROUP BY workspace_name, session_name
) m
WHERE m.workspace_name = s.workspace_name AND m.session_name = s.name AND s.message_seq < m.last;
