"""Honcho's Python SDK (sdks/python of the Honcho checkout, unmodified) driven
through every data-plane method it has, sync and async, against one server;
prints a transcript with generated ids named in order of first sight and the
timestamps of now written <now>. Run it against Honcho's server and against
the service and diff the two transcripts:

    PYTHONPATH=<honcho checkout>/sdks/python/src python python_sdk.py URL TAG > out.txt

The SDK needs httpx and pydantic 2 (Honcho's own environment has both). The
routes it also has that stay with Honcho (chat, search, representation,
context, conclusions, scopes, dreams) are not called."""
import asyncio
import datetime
import io
import json
import re
import sys

from honcho import Honcho
from honcho.api_types import PeerConfig, SessionPeerConfig

URL, TAG = sys.argv[1], sys.argv[2]
NOW = datetime.datetime.now(datetime.timezone.utc)
names: dict[str, str] = {}


def name_of(value: str) -> str:
    return names.setdefault(value, f"<id{len(names) + 1}>")


def shown(value):
    """A result as text: models as their fields, ids of 21 characters named, today's timestamps <now>."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        value = {k: v for k, v in vars(value).items() if not k.startswith("_") and not callable(v)}
    text = json.dumps(value, default=str, ensure_ascii=False)
    text = re.sub(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{21}(?![A-Za-z0-9_-])", lambda m: name_of(m.group(0)) if re.search(r"[A-Z]|[0-9]", m.group(0)) else m.group(0), text)
    today = NOW.strftime("%Y-%m-%d")
    text = re.sub(today + r"[T ][0-9:.]+(?:\+00:00|Z)?", "<now>", text)
    # keys sorted once ids are named: a dict keyed by ids (queue status's sessions) reads alike
    return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)


def step(label: str, call):
    try:
        result = call()
        if hasattr(result, "__iter__") and not isinstance(result, (dict, list, str)) and not hasattr(result, "model_dump"):
            result = list(result)
        print(f"{label}: {[shown(x) for x in result] if isinstance(result, list) else shown(result)}")
        return result
    except Exception as e:  # the SDK's exception and its words are what a caller sees
        status = getattr(e, "status_code", None) or getattr(e, "status", None)
        print(f"{label}: raised {type(e).__name__} {status} {str(e)[:300]}")
        return None


def main():
    ws = f"pysdk{TAG}"
    h = Honcho(base_url=URL, workspace_id=ws, max_retries=0, timeout=30)

    # workspace
    step("workspace set_metadata", lambda: h.set_metadata({"app": "sdk", "n": 1}))
    step("workspace get_metadata", lambda: h.get_metadata())
    step("workspace set_configuration", lambda: h.set_configuration({"peer_card": {"use": False}}))
    step("workspace get_configuration", lambda: h.get_configuration())

    # peers
    alice = h.peer("alice", metadata={"role": "user"}, configuration=PeerConfig(observe_me=True))
    step("peer alice metadata", lambda: alice.get_metadata())
    step("peer alice configuration", lambda: alice.get_configuration())
    bob = h.peer("bob")
    step("peer bob set_metadata", lambda: bob.set_metadata({"role": "assistant", "x": [1, 2.5, None]}))
    step("peer bob set_configuration", lambda: bob.set_configuration(PeerConfig(observe_me=False)))
    step("peer bob refresh", lambda: (bob.refresh(), bob.metadata, bob.configuration)[1:])
    step("peer bad name", lambda: h.peer("bad name", metadata={}))
    step("peers", lambda: [p.id for p in h.peers()])
    step("peers filtered", lambda: [p.id for p in h.peers(filters={"metadata": {"role": "user"}})])
    step("peers reversed, size 1", lambda: [p.id for p in h.peers(size=1, reverse=True)])

    # sessions and members
    s = h.session(f"s1{TAG}", metadata={"topic": "t"}, configuration={"summary": {"enabled": True}})
    step("session metadata", lambda: s.get_metadata())
    step("session configuration", lambda: s.get_configuration())
    step("add_peers", lambda: s.add_peers([alice, (bob, SessionPeerConfig(observe_others=True))]))
    step("peers of session", lambda: sorted(p.id for p in s.peers()))
    step("peer configuration bob", lambda: s.get_peer_configuration(bob))
    step("set peer configuration alice", lambda: s.set_peer_configuration(alice, SessionPeerConfig(observe_me=False)))
    step("peer configuration alice", lambda: s.get_peer_configuration("alice"))
    step("peer configuration of a stranger", lambda: s.get_peer_configuration("nobody"))
    carol = h.peer("carol")
    step("set_peers", lambda: s.set_peers([alice, carol]))
    step("peers after set", lambda: sorted(p.id for p in s.peers()))
    step("remove_peers", lambda: s.remove_peers([carol]))
    step("peers after remove", lambda: sorted(p.id for p in s.peers()))
    step("session set_metadata", lambda: s.set_metadata({"topic": "u", "k": {"deep": True}}))
    step("session refresh", lambda: (s.refresh(), s.metadata, s.configuration, s.is_active)[1:])

    # messages
    added = step("add_messages", lambda: s.add_messages([
        alice.message("hello there", metadata={"i": 1}),
        bob.message("hi alice", created_at=datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)),
        alice.message("third", metadata={"i": 3, "tag": "x"}, created_at="2023-01-02T03:04:05+02:00"),
    ]))
    step("add one message", lambda: s.add_messages(bob.message("just one")))
    step("add a message of a stranger", lambda: s.add_messages(h.peer("dave").message("from dave")))
    step("add an empty list", lambda: s.add_messages([]))
    step("add a too long message", lambda: s.add_messages(alice.message("x" * 70000)))
    step("messages", lambda: [(m.peer_id, m.content, m.metadata) for m in s.messages()])
    step("messages reversed size 2", lambda: [m.content for m in s.messages(size=2, reverse=True)])
    step("messages filtered", lambda: [m.content for m in s.messages(filters={"peer_id": "alice"})])
    step("messages metadata filter", lambda: [m.content for m in s.messages(filters={"metadata": {"i": {"gte": 2}}})])
    step("messages bad filter", lambda: [m.content for m in s.messages(filters={"nope": {"gt": 1}})])
    if added:
        first = added[0]
        step("get_message", lambda: s.get_message(first.id))
        step("update_message", lambda: s.update_message(first, {"edited": True}))
        step("update_message by id", lambda: s.update_message(first.id, {"edited": 2}))
        step("get_message after", lambda: s.get_message(first.id).metadata)
    step("get_message missing", lambda: s.get_message("aaaaaaaaaaaaaaaaaaaaa"))
    step("upload text", lambda: s.upload_file(("notes.txt", io.BytesIO(b"line one\nline two\n"), "text/plain"), alice, metadata={"src": "upload"}))
    step("upload json", lambda: s.upload_file(("m.json", io.BytesIO(b'{"a": 1}'), "application/json"), "bob", created_at="2022-02-02T02:02:02Z"))
    step("upload bytes", lambda: s.upload_file(b"raw bytes here", "alice"))
    step("upload an unsupported type", lambda: s.upload_file(("x.bin", io.BytesIO(b"\x00\x01"), "application/octet-stream"), "alice"))
    step("summaries", lambda: s.summaries())
    step("session queue_status", lambda: s.queue_status())
    step("workspace queue_status", lambda: h.queue_status())
    step("queue_status by observer", lambda: h.queue_status(observer="bob"))

    # clone, sessions, peer sessions
    clone = step("clone", lambda: s.clone())
    if added:
        step("clone up to a message", lambda: s.clone(message_id=added[1].id))
    if clone:
        step("clone's messages", lambda: [m.content for m in clone.messages()])
    step("sessions", lambda: len(list(h.sessions())))
    step("sessions filtered", lambda: [x.id for x in h.sessions(filters={"metadata": {"topic": "u"}})])
    step("alice's sessions", lambda: [x.id for x in alice.sessions()])
    step("set_card", lambda: alice.set_card(["likes tea", "lives in Paris"]))
    step("get_card", lambda: alice.get_card())
    step("get_card of bob by alice", lambda: alice.get_card(target=bob))
    s2 = h.session(f"s2{TAG}", peers=["alice", "bob"])
    step("session with peers", lambda: sorted(p.id for p in s2.peers()))
    step("delete session", lambda: s2.delete())
    step("session after delete", lambda: (s2.refresh(), s2.is_active)[1:])
    step("workspaces", lambda: ws in list(h.workspaces()))
    step("workspaces filtered", lambda: list(h.workspaces(filters={"id": ws})))

    # async
    async def in_async():
        a = h.aio
        p = await a.peer("erin", metadata={"async": True})
        step("aio peer metadata", lambda: p.metadata)
        sa = await a.session(f"s3{TAG}")
        await sa.aio.add_peers(["erin"]) if hasattr(sa, "aio") else None
        msgs = await sa.aio.add_messages([p.message("async hello")]) if hasattr(sa, "aio") else []
        step("aio add_messages", lambda: msgs)
        got = [m.content async for m in await sa.aio.messages()] if hasattr(sa, "aio") else []
        step("aio messages", lambda: got)
        peers = [x.id async for x in await a.peers()]
        step("aio peers", lambda: sorted(peers))
        st = await a.queue_status()
        step("aio queue_status", lambda: st)

    try:
        asyncio.run(in_async())
    except Exception as e:
        print(f"aio: raised {type(e).__name__} {str(e)[:300]}")

    step("delete workspace with active sessions", lambda: h.delete_workspace(ws))


main()
