"""Calls through Python's grpcio (gRPC's C core) for test/e2e/grpcio-client.test.ts.

Reads {"target": "host:port", "calls": [...]} as JSON on stdin; each call is
{"kind": "unary" | "client_stream" | "server_stream", "method": "/pkg.Svc/M",
"requests": [hex, ...], "timeout": seconds?, "gzip": bool?, "token": str?,
"take": n?} (a server stream is cancelled once it has given `take` answers).
Prints one JSON list: per call {"answers": [hex, ...]} or {"code": name,
"details": text, "details_bin": hex | null}, and "cancelled" when the client
cancelled. Bytes in, bytes out: the test encodes and decodes the messages."""
import json
import sys

import grpc


def run(channel, call):
    kw = {}
    if call.get("timeout") is not None:
        kw["timeout"] = call["timeout"]
    if call.get("gzip"):
        kw["compression"] = grpc.Compression.Gzip
    if call.get("token"):
        kw["metadata"] = [("authorization", "Bearer " + call["token"])]
    requests = [bytes.fromhex(r) for r in call["requests"]]
    kind, method = call["kind"], call["method"]
    answers = []
    try:
        if kind == "unary":
            return {"answers": [channel.unary_unary(method)(requests[0], **kw).hex()]}
        if kind == "client_stream":
            return {"answers": [channel.stream_unary(method)(iter(requests), **kw).hex()]}
        stream = channel.unary_stream(method)(requests[0], **kw)
        for answer in stream:
            answers.append(answer.hex())
            if len(answers) == call["take"]:
                stream.cancel()
        return {"answers": answers}
    except grpc.RpcError as e:
        bin_ = dict(e.trailing_metadata() or ()).get("grpc-status-details-bin")
        out = {"code": e.code().name, "details": e.details(), "details_bin": bin_.hex() if bin_ else None}
        if e.code() == grpc.StatusCode.CANCELLED:
            out["answers"] = answers
        return out


def main():
    spec = json.load(sys.stdin)
    with grpc.insecure_channel(spec["target"]) as channel:
        print(json.dumps([run(channel, c) for c in spec["calls"]]))


main()
