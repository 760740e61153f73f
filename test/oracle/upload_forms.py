"""Writes test/oracle/upload-form-cases.json: form fields of Upload Messages
(POST .../messages/upload) with what Honcho makes of them, computed by
Honcho's own code: parse_upload_form (src/routers/messages.py, its body
repeated below) builds schemas.MessageUploadCreate from Honcho's
src/schemas/api.py (loaded by bodies.py), and every chunk of the file becomes
a schemas.MessageCreate with those values (src/utils/files.py). Each case
holds either "refused" (pydantic raises inside Honcho's dependency or its
MessageCreate, or PostgreSQL refuses the metadata (NaN, an unpaired
surrogate), which Honcho answers 500 and the service 422; or a new peer's
name Honcho's crud refuses with a 422) or the answer's metadata and
created_at, as Honcho writes them (json.dumps of the dict; pydantic's text of
the datetime). test/e2e/upload-oracle.test.ts posts each form.

Run: HONCHO_MIRROR=<git dir of plastic-labs/honcho> python3 test/oracle/upload_forms.py"""
import datetime
import json
import os
import random
import re
import sys

from pydantic import TypeAdapter, ValidationError

import bodies

OUT = os.path.join(os.path.dirname(__file__), "upload-form-cases.json")
NAME = re.compile(r"^[a-zA-Z0-9_-]+$")  # RESOURCE_NAME_PATTERN, which new peers' names must match
DATETIME = TypeAdapter(datetime.datetime)


def parse_upload_form(api, peer_id, metadata, configuration, created_at):
    """Honcho's parse_upload_form, as written (logging left out)."""
    parsed_metadata = None
    if metadata:
        try:
            parsed_metadata = json.loads(metadata)
        except json.JSONDecodeError:
            parsed_metadata = None
    parsed_configuration = None
    if configuration:
        try:
            parsed_configuration = json.loads(configuration)
        except json.JSONDecodeError:
            parsed_configuration = None
    parsed_created_at = None
    if created_at:
        try:
            parsed_created_at = datetime.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
        except (ValueError, AttributeError):
            parsed_created_at = None
    return api.MessageUploadCreate(peer_id=peer_id, metadata=parsed_metadata, configuration=parsed_configuration, created_at=parsed_created_at)


def field(r: random.Random, kind: str):
    """A form field's text, or None (not sent)."""
    if r.random() < (0.05 if kind == "peer_id" else 0.3):
        return None
    if kind == "metadata":
        return r.choice([
            '{"k": "v"}', '{"b": 1, "a": 2.0, "c": 1e16}', '{"b": 1, "2": {"1": 1.50}}', '{"k": "a\\u0000b", "n\\u0000": [1]}',
            '[1]', '"x"', "5", "null", "{}", "not json", "{bad", '{"a": NaN}', '{"a": [-Infinity]}', '{"a": "\\ud800"}', '{"a": 12345678901234567890}',
            json.dumps({f"k{i}": i for i in range(101)}), '{"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}', "",
        ])
    if kind == "configuration":
        return r.choice([
            '{"reasoning": {"enabled": false}}', '{"reasoning": {"enabled": "yes"}}', '{"reasoning": 5}', '{"other": 1}',
            '{"reasoning": {"custom_instructions": "be brief"}}', "{}", "[]", "null", "not json", "",
        ])
    if kind == "created_at":
        return r.choice([
            "2024-05-01T12:00:00Z", "2024-05-01T12:00:00+02:00", "2024-05-01T12:00:00.5-03:30", "2024-05-01", "2024-05-01 12:00",
            "20240501T120000Z", "2024-W18-3T08:00", "2024-05-01T12:00:00+05:00:30", "2024-05-01T24:00", "not a date", "2024-13-01",
            "1714564800", "2024-05-01T12:00:00.123456789", "",
        ])
    if r.random() < 0.8:
        return r.choice(["alice", "bob-2", "Carol_3"])
    return r.choice(["a b", "dot.name", "x" * 513, "é", ""])


def expect(api, fields):
    peer = fields.get("peer_id")
    if not peer:
        return {"refused": True}  # FastAPI: peer_id missing (a 422 in both)
    try:
        form = parse_upload_form(api, peer, fields.get("metadata"), fields.get("configuration"), fields.get("created_at"))
        message = api.MessageCreate(content="hello", peer_id=form.peer_id, metadata=form.metadata, configuration=form.configuration, created_at=form.created_at)
    except ValidationError:
        return {"refused": True}
    if not NAME.match(peer) or len(peer) > 512:
        return {"refused": True}  # crud's _validate_new_peer_names
    try:
        # what psycopg sends PostgreSQL, which has no NaN or Infinity in jsonb
        # and no unpaired surrogate in text: Honcho's insert fails (500)
        text = json.dumps(message.metadata or {}, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        text.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return {"refused": True}
    created_at = None if message.created_at is None else DATETIME.dump_python(message.created_at, mode="json")
    return {"metadata": text, "created_at": created_at}


def main() -> None:
    mirror = os.environ.get("HONCHO_MIRROR")
    if not mirror:
        sys.exit("set HONCHO_MIRROR to the git dir of a fetched plastic-labs/honcho")
    api = bodies.load_honcho_schemas(mirror)
    r = random.Random(23)
    cases, seen = [], set()
    while len(cases) < 300:
        fields = {k: v for k in ("peer_id", "metadata", "configuration", "created_at") if (v := field(r, k)) is not None}
        key = json.dumps(fields, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        cases.append({"fields": fields, "expect": expect(api, fields)})
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n")
    print(f"{len(cases)} cases ({sum('refused' in c['expect'] for c in cases)} refused) written to {OUT}")


if __name__ == "__main__":
    main()
