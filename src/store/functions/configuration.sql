-- Honcho's resolved configuration, computed in the database so that a write
-- resolves it from the workspace and session rows it reads in the same
-- transaction (src/utils/config_helpers.py get_configuration): Honcho's
-- defaults, then the workspace's, the session's and the message's
-- configuration, each normalised from legacy keys first, null values skipped.
-- Values are coerced as pydantic's lax mode would (ResolvedConfiguration);
-- where Honcho would fail on a value of the wrong type (and then write no work
-- at all for the batch), the value is ignored and the level below it stands.

-- pydantic's lax bool: true/false, 0/1, and its strings; null otherwise.
CREATE OR REPLACE FUNCTION {{service}}.py_bool(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'boolean' THEN v::boolean
    WHEN 'number' THEN CASE v::numeric WHEN 1 THEN true WHEN 0 THEN false END
    WHEN 'string' THEN CASE lower(v #>> '{}')
      WHEN 'true' THEN true WHEN 't' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true WHEN 'on' THEN true WHEN '1' THEN true
      WHEN 'false' THEN false WHEN 'f' THEN false WHEN 'no' THEN false WHEN 'n' THEN false WHEN 'off' THEN false WHEN '0' THEN false
    END
  END
$$;

-- pydantic's lax int: integers, integral floats, booleans, numeric strings; null otherwise.
CREATE OR REPLACE FUNCTION {{service}}.py_int(v jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'number' THEN CASE WHEN v::numeric = trunc(v::numeric) AND abs(v::numeric) < 2147483648 THEN v::numeric::integer END
    WHEN 'boolean' THEN CASE WHEN v::boolean THEN 1 ELSE 0 END
    WHEN 'string' THEN CASE WHEN btrim(v #>> '{}') ~ '^[+-]?[0-9]{1,9}(_[0-9]+)*(\.0*)?$'
      THEN replace(split_part(btrim(v #>> '{}'), '.', 1), '_', '')::integer END
  END
$$;

-- Python's bool() of a JSON value (for the legacy deriver.enabled).
CREATE OR REPLACE FUNCTION {{service}}.py_truthy(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'boolean' THEN v::boolean
    WHEN 'number' THEN v::numeric <> 0
    WHEN 'string' THEN (v #>> '{}') <> ''
    WHEN 'array' THEN jsonb_array_length(v) > 0
    WHEN 'object' THEN v <> '{}'::jsonb
    ELSE false
  END
$$;

-- normalize_configuration_dict: deriver.enabled and skip_deriver become
-- reasoning.enabled unless that is set; the legacy keys go.
CREATE OR REPLACE FUNCTION {{service}}.normalize_configuration(raw jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  reasoning jsonb;
BEGIN
  IF raw IS NULL OR jsonb_typeof(raw) <> 'object' THEN
    RETURN '{}'::jsonb;
  END IF;
  reasoning := CASE WHEN jsonb_typeof(raw -> 'reasoning') = 'object' THEN raw -> 'reasoning' ELSE '{}'::jsonb END;
  IF coalesce(jsonb_typeof(reasoning -> 'enabled'), 'null') = 'null' THEN
    IF jsonb_typeof(raw -> 'deriver') = 'object' AND coalesce(jsonb_typeof(raw -> 'deriver' -> 'enabled'), 'null') <> 'null' THEN
      reasoning := reasoning || jsonb_build_object('enabled', {{service}}.py_truthy(raw -> 'deriver' -> 'enabled'));
    END IF;
    IF raw -> 'skip_deriver' = 'true'::jsonb THEN
      reasoning := reasoning || '{"enabled": false}'::jsonb;
    END IF;
  END IF;
  IF raw ? 'reasoning' OR reasoning <> '{}'::jsonb THEN
    raw := raw || jsonb_build_object('reasoning', reasoning);
  END IF;
  RETURN raw - 'deriver' - 'skip_deriver';
END
$$;

-- One level (workspace, session or message configuration) over a resolved
-- configuration: deep_update with nulls skipped, then the resolved fields.
CREATE OR REPLACE FUNCTION {{service}}.apply_configuration(base jsonb, raw jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  lvl jsonb;
  section jsonb;
  b boolean;
  i integer;
BEGIN
  IF raw IS NULL OR raw = '{}'::jsonb THEN
    RETURN base; -- most workspaces and sessions configure nothing
  END IF;
  lvl := {{service}}.normalize_configuration(raw);
  section := lvl -> 'reasoning';
  IF jsonb_typeof(section) = 'object' THEN
    b := {{service}}.py_bool(section -> 'enabled');
    IF b IS NOT NULL THEN base := jsonb_set(base, '{reasoning,enabled}', to_jsonb(b)); END IF;
    IF jsonb_typeof(section -> 'custom_instructions') = 'string' THEN
      base := jsonb_set(base, '{reasoning,custom_instructions}', section -> 'custom_instructions');
    END IF;
  END IF;
  section := lvl -> 'peer_card';
  IF jsonb_typeof(section) = 'object' THEN
    b := {{service}}.py_bool(section -> 'use');
    IF b IS NOT NULL THEN base := jsonb_set(base, '{peer_card,use}', to_jsonb(b)); END IF;
    b := {{service}}.py_bool(section -> 'create');
    IF b IS NOT NULL THEN base := jsonb_set(base, '{peer_card,create}', to_jsonb(b)); END IF;
  END IF;
  section := lvl -> 'summary';
  IF jsonb_typeof(section) = 'object' THEN
    b := {{service}}.py_bool(section -> 'enabled');
    IF b IS NOT NULL THEN base := jsonb_set(base, '{summary,enabled}', to_jsonb(b)); END IF;
    i := {{service}}.py_int(section -> 'messages_per_short_summary');
    IF i IS NOT NULL THEN base := jsonb_set(base, '{summary,messages_per_short_summary}', to_jsonb(i)); END IF;
    i := {{service}}.py_int(section -> 'messages_per_long_summary');
    IF i IS NOT NULL THEN base := jsonb_set(base, '{summary,messages_per_long_summary}', to_jsonb(i)); END IF;
  END IF;
  section := lvl -> 'dream';
  IF jsonb_typeof(section) = 'object' THEN
    b := {{service}}.py_bool(section -> 'enabled');
    IF b IS NOT NULL THEN base := jsonb_set(base, '{dream,enabled}', to_jsonb(b)); END IF;
  END IF;
  RETURN base;
END
$$;

-- pydantic's JSON form of the aware datetime psycopg hands Honcho, in the
-- session's TimeZone (src/json/answer-zone.ts): the wall clock's seconds,
-- then six digits of microseconds only when there are any, then Z when the
-- offset is zero, else ±HH:MM (seconds of an old local mean time cut off).
CREATE OR REPLACE FUNCTION {{service}}.py_datetime(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- one expression, no FROM: PostgreSQL inlines it into the payload functions
  SELECT to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN date_part('microseconds', ts)::bigint % 1000000 <> 0 THEN to_char(ts, '.US') ELSE '' END
    || CASE WHEN date_part('timezone', ts) = 0 THEN 'Z' ELSE to_char(ts, 'TZH:TZM') END
$$;
