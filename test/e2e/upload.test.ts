// POST /v3/workspaces/{w}/sessions/{s}/messages/upload (Honcho's
// create_messages_with_file) and its RPC, UploadMessages: a file becomes
// messages as Honcho makes them (src/routers/messages.py, src/utils/files.py),
// stored, queued and answered like created messages, with the file's facts in
// internal_metadata written in the same transaction. Real server, real
// PostgreSQL, multipart bodies written byte by byte.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MessageService } from "../../gen/honcho/v3/messages_pb.js";
import type { App } from "../../src/app.js";
import { loadHonchoSettings } from "../../src/config-honcho.js";
import { startTestApp, useTestApp } from "../support/app.js";
import { postMessages } from "../support/clients.js";
import { hs256 } from "../support/jwt.js";
import { BOUNDARY, multipart, postUpload, uploadForm } from "../support/multipart.js";
import { makePdf } from "../support/pdf.js";
import { rest } from "../support/rest.js";

const t = useTestApp();
const SUPPORTED = "['PDFProcessor', 'TextProcessor', 'JSONProcessor']";
const up = (session: string, body: Buffer | string, contentType?: string | null, headers?: Record<string, string>) => postUpload(t.app.url, "up", session, body, contentType, headers);
const text = (session: string, data: string | Uint8Array, fields: Record<string, string> = { peer_id: "alice" }, type = "text/plain") => up(session, uploadForm({ data, type }, fields));
const rowsOf = (session: string) =>
  t.db.sql<{ public_id: string; content: string; seq_in_session: string; internal_metadata: Record<string, unknown>; metadata: unknown; peer_name: string; created_at: Date }[]>`
    SELECT public_id, content, seq_in_session::text, internal_metadata, metadata, peer_name, created_at FROM messages
    WHERE workspace_name = 'up' AND session_name = ${session} ORDER BY seq_in_session`;
const codePoints = (s: string) => [...s].length;

describe("a text file", () => {
  it("becomes one message, answered 201 like a created one, with the file's facts in internal_metadata", async () => {
    const r = await up("t1", multipart([
      { name: "file", filename: "notes.txt", type: "text/plain", data: "Line 1\nLine 2\nLine 3" },
      { name: "peer_id", data: "alice" },
      { name: "metadata", data: '{"source": "upload-test"}' },
    ]));
    expect(r.status).toBe(201);
    expect(r.json).toHaveLength(1);
    const [m] = r.json;
    expect(Object.keys(m)).toEqual(["id", "content", "peer_id", "session_id", "metadata", "created_at", "workspace_id", "token_count"]);
    expect(m).toMatchObject({ content: "Line 1\nLine 2\nLine 3", peer_id: "alice", session_id: "t1", workspace_id: "up", metadata: { source: "upload-test" } });
    expect(m.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    const [row] = await rowsOf("t1");
    expect(row!.public_id).toBe(m.id);
    expect(row!.internal_metadata).toEqual({
      file_id: expect.stringMatching(/^[A-Za-z0-9_-]{21}$/),
      filename: "notes.txt",
      chunk_index: 0,
      total_chunks: 1,
      original_file_size: 20,
      content_type: "text/plain",
      chunk_character_range: [0, 20],
    });
    // the same content through Create Messages counts the same tokens
    const created = await postMessages(t.app.url, "up", "t1-created", { messages: [{ content: "Line 1\nLine 2\nLine 3", peer_id: "alice" }] });
    expect((created.json as { token_count: number }[])[0]!.token_count).toBe(m.token_count);
  });

  it("is queued exactly as the same message created through Create Messages", async () => {
    const configuration = '{"reasoning": {"custom_instructions": "be brief"}}';
    expect((await text("q-up", "Queue me", { peer_id: "alice", configuration })).status).toBe(201);
    expect((await postMessages(t.app.url, "up", "q-cr", { messages: [{ content: "Queue me", peer_id: "alice", configuration: JSON.parse(configuration) }] })).status).toBe(201);
    const queued = (session: string) => t.db.sql<{ task_type: string; work_unit_key: string; payload: Record<string, unknown> }[]>`
      SELECT q.task_type, q.work_unit_key, q.payload FROM queue q JOIN messages m ON m.id = q.message_id
      WHERE m.workspace_name = 'up' AND m.session_name = ${session} ORDER BY q.id`;
    const strip = (rows: { task_type: string; work_unit_key: string; payload: Record<string, unknown> }[], session: string) =>
      rows.map((r) => ({ ...r, work_unit_key: r.work_unit_key.replace(session, "S"), payload: { ...r.payload, session_name: undefined, created_at: undefined } }));
    const uploaded = strip(await queued("q-up"), "q-up");
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]!.payload).toMatchObject({ task_type: "representation", content: "Queue me", observed: "alice", configuration: { reasoning: { enabled: true, custom_instructions: "be brief" } } });
    expect(uploaded).toEqual(strip(await queued("q-cr"), "q-cr"));
  });

  it("keeps its media type as sent: parameters allowed for text/*, stored verbatim", async () => {
    const r = await text("t2", "héllo", { peer_id: "alice" }, "text/markdown; charset=utf-8");
    expect(r.status).toBe(201);
    expect((await rowsOf("t2"))[0]!.internal_metadata).toMatchObject({ content_type: "text/markdown; charset=utf-8", original_file_size: 6, chunk_character_range: [0, 5] });
  });

  it.each([
    ["UTF-8, its BOM kept", Buffer.from("\ufeffhé", "utf8"), "\ufeffhé"],
    ["UTF-16 with a BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("hé ☃", "utf16le")]), "hé ☃"],
    ["UTF-16 big-endian with a BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("hé", "utf16le").swap16()]), "hé"],
    ["UTF-16 without a BOM (little-endian)", Buffer.from("hé", "utf16le"), "hé"],
    ["latin-1 when neither decodes (every byte its own code point)", Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x41, 0x80, 0x42]), "caf\u00e9A\u0080B"],
    ["UTF-16 (little-endian) for an even number of bytes that is not UTF-8", Buffer.from([0xe9, 0x00, 0x41, 0x00]), "\u00e9A"],
    ["an empty file: one empty message", Buffer.alloc(0), ""],
  ])("is decoded as Honcho decodes it: %s", async (_name, bytes, want) => {
    const session = `dec-${Math.random().toString(36).slice(2, 8)}`;
    const r = await text(session, bytes);
    expect(r.status).toBe(201);
    expect(r.json.map((m: { content: string }) => m.content)).toEqual([want]);
  });

  it("loses its NUL characters after chunking, as MessageCreate strips them", async () => {
    const r = await text("nul", "a\u0000b");
    expect(r.status).toBe(201);
    expect(r.json[0].content).toBe("ab");
    expect((await rowsOf("nul"))[0]!.internal_metadata).toMatchObject({ chunk_character_range: [0, 3] });
  });
});

describe("chunking (split_text_into_chunks, 25 000 characters)", () => {
  const cases: [string, string, number[]][] = [
    ["exactly 25 000 characters: one message", "a".repeat(25_000), [25_000]],
    ["one more: cut hard when there is no delimiter", "a".repeat(25_001), [25_000, 1]],
    ["a paragraph break wins, however early", "x".repeat(100) + "\n\n" + "y".repeat(24_000) + "\n" + "z".repeat(500) + ". " + "w".repeat(398) + " " + "v".repeat(2_000), [102, 24_001, 2_901]],
    ['". " before a space', "a".repeat(20_000) + ". " + "b".repeat(3_000) + " " + "c".repeat(5_000), [20_002, 8_001]],
    ["a delimiter at the chunk's very start does not count", " " + "a".repeat(25_005), [25_000, 6]],
    ["astral characters count once (25 000 emoji are one message)", "😀".repeat(25_000), [25_000]],
    ["astral characters: 25 001 emoji are two", "😀".repeat(25_001), [25_000, 1]],
    ["astral characters before a space", "😀".repeat(24_999) + " " + "😀".repeat(10), [25_000, 10]],
  ];
  it.each(cases)("%s", async (name, body, lengths) => {
    const session = `chunk-${cases.findIndex((c) => c[0] === name)}`;
    const r = await text(session, body);
    expect(r.status).toBe(201);
    const contents = r.json.map((m: { content: string }) => m.content) as string[];
    expect(contents.map(codePoints)).toEqual(lengths);
    expect(contents.join("")).toBe(body);
    const rows = await rowsOf(session);
    const total = codePoints(body);
    expect(rows.map((row) => row.internal_metadata)).toEqual(
      lengths.map((_, i) => ({
        file_id: rows[0]!.internal_metadata.file_id,
        filename: "f.txt",
        chunk_index: i,
        total_chunks: lengths.length,
        original_file_size: Buffer.byteLength(body),
        content_type: "text/plain",
        // Honcho's nominal range, whatever the real cut
        chunk_character_range: [i * 25_000, Math.min((i + 1) * 25_000, total)],
      })),
    );
    // gapless, in order, in one write
    const seqs = rows.map((row) => Number(row.seq_in_session));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });
});

describe("a JSON file", () => {
  it.each([
    ["json.dumps' spelling: separators, duplicate keys, floats, big integers, non-ASCII", '{"b":1.0,"a":[1e16, 12345678901234567890, "é\\u00e9", 0.0001, 1e-05, -0, 2.50],"b":2, "1": null}', '{"b": 2, "a": [1e+16, 12345678901234567890, "éé", 0.0001, 1e-05, 0, 2.5], "1": null}'],
    ["Python's constants", "[NaN, Infinity, -Infinity, true, false, null, 1e400]", "[NaN, Infinity, -Infinity, true, false, null, Infinity]"],
    ["escapes kept where json.dumps keeps them", '"tab\\t quote\\" slash\\/ nl\\n \\u0001 \\ud83d\\ude00"', '"tab\\t quote\\" slash/ nl\\n \\u0001 😀"'],
    ["blank: one empty message", " \n\t ", ""],
  ])("is re-encoded as json.dumps(json.loads(text), ensure_ascii=False): %s", async (_name, body, want) => {
    const session = `json-${Math.random().toString(36).slice(2, 8)}`;
    const r = await text(session, body, { peer_id: "alice" }, "application/json");
    expect(r.status).toBe(201);
    expect(r.json[0].content).toBe(want);
  });

  it.each([
    ["not JSON", "{'single': 1}", "Uploaded JSON is invalid"],
    ["JSON with trailing data", "{} {}", "Uploaded JSON is invalid"],
    ["a UTF-8 BOM (json.loads refuses it in a str)", "\ufeff{}", "Uploaded JSON is invalid"],
    ["not UTF-8", Buffer.from([0x7b, 0xff, 0x7d]), "JSON uploads must be UTF-8 encoded"],
  ])("is refused with Honcho's 422 when %s", async (_name, body, detail) => {
    const r = await text("json-bad", body, { peer_id: "alice" }, "application/json");
    expect(r).toEqual({ status: 422, json: { detail } });
  });

  it("must be exactly application/json (a charset parameter makes it unsupported, as in Honcho)", async () => {
    const r = await text("json-ct", "{}", { peer_id: "alice" }, "application/json; charset=utf-8");
    expect(r).toEqual({ status: 415, json: { detail: `Unsupported file type: application/json; charset=utf-8. Supported types: ${SUPPORTED}` } });
  });
});

describe("a PDF file", () => {
  // Expected texts: what Honcho's PDFProcessor (pdfplumber 0.11, extract_text)
  // makes of these same PDFs (test/oracle/pdf_text.py).
  it("becomes its pages' text, \"[Page n]\" before each, pages without text left out", async () => {
    const pdf = makePdf([
      [{ text: "Hello (world) \\ back", y: 720 }, { text: "Second line", y: 700 }, { text: "right side", x: 300, y: 700 }],
      [],
      [{ text: "   ", y: 700 }],
      [{ text: "Last page", y: 500, size: 20 }, { text: "café naïve", y: 470 }],
    ]);
    const r = await up("pdf1", uploadForm({ data: pdf, type: "application/pdf", filename: "doc.pdf" }, { peer_id: "alice" }));
    expect(r.status).toBe(201);
    expect(r.json.map((m: { content: string }) => m.content)).toEqual(["[Page 1]\nHello (world) \\ back\nSecond line right side\n\n[Page 4]\nLast page\ncafé naïve"]);
    expect((await rowsOf("pdf1"))[0]!.internal_metadata).toMatchObject({ filename: "doc.pdf", content_type: "application/pdf", original_file_size: pdf.length });
  });

  it("orders lines top to bottom and joins what shares a line, as pdfplumber does", async () => {
    const pdf = makePdf([[
      { text: "lower line", y: 600 },
      { text: "upper line", y: 720 },
      { text: "same", x: 72, y: 650 },
      { text: "baseline", x: 140, y: 651.5 },
      { text: "tight", x: 72, y: 400 },
      { text: "gap", x: 101, y: 400 },
    ]]);
    const r = await up("pdf2", uploadForm({ data: pdf, type: "application/pdf" }, { peer_id: "alice" }));
    expect(r.status).toBe(201);
    expect(r.json[0].content).toBe("[Page 1]\nupper line\nsame baseline\nlower line\ntight gap");
  });

  it("without any text is one empty message", async () => {
    const r = await up("pdf3", uploadForm({ data: makePdf([[], [{ text: " ", y: 700 }]]), type: "application/pdf" }, { peer_id: "alice" }));
    expect(r.status).toBe(201);
    expect(r.json.map((m: { content: string }) => m.content)).toEqual([""]);
  });

  it("that cannot be read is a 422 (Honcho: 500), and nothing is stored", async () => {
    const r = await up("pdf-bad", uploadForm({ data: "%PDF-1.4 not really", type: "application/pdf" }, { peer_id: "alice" }));
    expect(r).toEqual({ status: 422, json: { detail: "Uploaded PDF could not be read" } });
    expect(await rowsOf("pdf-bad")).toEqual([]);
  });
});

describe("unsupported files", () => {
  it.each([
    ["image/png", "image/png"],
    ["TEXT/plain (Honcho compares case-sensitively)", "TEXT/plain"],
    ["an empty Content-Type", ""],
  ])("%s: 415 with Honcho's text", async (_name, type) => {
    const r = await text("bad-type", "x", { peer_id: "alice" }, type);
    expect(r).toEqual({ status: 415, json: { detail: `Unsupported file type: ${type}. Supported types: ${SUPPORTED}` } });
  });

  it("a part without a Content-Type is Python's None", async () => {
    const r = await up("bad-type", uploadForm({ data: "x" }, { peer_id: "alice" }));
    expect(r).toEqual({ status: 415, json: { detail: `Unsupported file type: None. Supported types: ${SUPPORTED}` } });
  });
});

describe("the size limit (MAX_FILE_SIZE)", () => {
  let small: App;
  beforeAll(async () => {
    small = await startTestApp(t.db.url, { honcho: { ...loadHonchoSettings({}), maxFileSize: 1000 } });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it("is read from the environment as Honcho reads it", () => {
    expect(loadHonchoSettings({}).maxFileSize).toBe(5_242_880);
    expect(loadHonchoSettings({ max_file_size: "123" }).maxFileSize).toBe(123);
    expect(() => loadHonchoSettings({ MAX_FILE_SIZE: "0" })).toThrow(/MAX_FILE_SIZE/);
  });

  it("lets a file of exactly the limit through and refuses one byte more with Honcho's 413", async () => {
    const at = await postUpload(small.url, "up", "size", uploadForm({ data: "a".repeat(1000), type: "text/plain" }, { peer_id: "alice" }));
    expect(at.status).toBe(201);
    const over = await postUpload(small.url, "up", "size", uploadForm({ data: "a".repeat(1001), type: "text/plain" }, { peer_id: "alice" }));
    expect(over).toEqual({ status: 413, json: { detail: "File size (1001 bytes) exceeds maximum allowed size (1000 bytes)" } });
  });

  it("counts every byte of a file over the default 5 MiB without keeping them", async () => {
    const r = await text("size-big", Buffer.alloc(6_000_000, 0x61));
    expect(r).toEqual({ status: 413, json: { detail: "File size (6000000 bytes) exceeds maximum allowed size (5242880 bytes)" } });
  });

  it("stops reading a body past BODY_LIMIT_BYTES (413)", async () => {
    const r = await text("size-huge", Buffer.alloc(17 * 1024 * 1024, 0x61));
    expect(r.status).toBe(413);
  });

  it("is checked before the media type, as in Honcho", async () => {
    const r = await postUpload(small.url, "up", "size", uploadForm({ data: "a".repeat(2000), type: "image/png" }, { peer_id: "alice" }));
    expect(r.status).toBe(413);
  });
});

describe("form fields", () => {
  const file = { name: "file", filename: "f.txt", type: "text/plain", data: "hello" };

  it("missing file and peer_id: FastAPI's 422, the dependency's field first", async () => {
    const r = await up("form", multipart([{ name: "other", data: "x" }]));
    expect(r).toEqual({
      status: 422,
      json: { detail: [
        { type: "missing", loc: ["body", "peer_id"], msg: "Field required", input: null },
        { type: "missing", loc: ["body", "file"], msg: "Field required", input: null },
      ] },
    });
  });

  it("an empty peer_id is a missing one (FastAPI drops empty form values)", async () => {
    const r = await up("form", multipart([file, { name: "peer_id", data: "" }]));
    expect(r).toEqual({ status: 422, json: { detail: [{ type: "missing", loc: ["body", "peer_id"], msg: "Field required", input: null }] } });
  });

  it("a file sent as a text field is no UploadFile", async () => {
    const r = await up("form", multipart([{ name: "file", data: "just text" }, { name: "peer_id", data: "alice" }]));
    expect(r).toEqual({
      status: 422,
      json: { detail: [{ type: "value_error", loc: ["body", "file"], msg: "Value error, Expected UploadFile, received: <class 'str'>", input: "just text", ctx: { error: {} } }] },
    });
  });

  it("a file where peer_id's text is expected is no string", async () => {
    const r = await up("form", multipart([file, { name: "peer_id", filename: "p.txt", type: "text/plain", data: "alice" }]));
    expect(r.status).toBe(422);
    expect(r.json.detail).toEqual([{ type: "string_type", loc: ["body", "peer_id"], msg: "Input should be a valid string", input: "p.txt" }]);
  });

  it("takes the last of repeated fields (Starlette's FormData.get)", async () => {
    const r = await up("form-last", multipart([file, { name: "peer_id", data: "first" }, { name: "peer_id", data: "second" }, { ...file, data: "last file" }]));
    expect(r.status).toBe(201);
    expect(r.json.map((m: { content: string; peer_id: string }) => [m.peer_id, m.content])).toEqual([["second", "last file"]]);
  });

  it.each([
    ["metadata that is not JSON", { metadata: "{not json" }, {}],
    ["configuration that is not JSON", { configuration: "reasoning=off" }, {}],
    ["created_at that is not a date", { created_at: "yesterday" }, {}],
  ])("silently ignores %s, as Honcho does", async (_name, fields, metadata) => {
    const before = Date.now();
    const r = await up("form-ignored", multipart([file, { name: "peer_id", data: "alice" }, ...Object.entries(fields).map(([name, data]) => ({ name, data }))]));
    expect(r.status).toBe(201);
    expect(r.json[0].metadata).toEqual(metadata);
    expect(Date.parse(r.json[0].created_at)).toBeGreaterThanOrEqual(before - 5_000);
  });

  it("applies metadata, created_at (Python's fromisoformat) and configuration to every chunk", async () => {
    const r = await up("form-all", multipart([
      { ...file, data: "a".repeat(25_001) },
      { name: "peer_id", data: "alice" },
      { name: "metadata", data: '{"k": "v\\u0000x", "n": [1, 2]}' },
      { name: "created_at", data: "2024-01-02T03:04:05.123456+02:00" },
      { name: "configuration", data: '{"reasoning": {"enabled": false}}' },
    ]));
    expect(r.status).toBe(201);
    expect(r.json).toHaveLength(2);
    for (const m of r.json) {
      expect(m.metadata).toEqual({ k: "vx", n: [1, 2] });
      expect(m.created_at).toBe("2024-01-02T03:04:05.123456+02:00"); // as Honcho answers the datetime it parsed
    }
    // reasoning off for these messages: no representation work
    const [{ n }] = (await t.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM queue q JOIN messages m ON m.id = q.message_id WHERE m.session_name = 'form-all' AND q.task_type = 'representation'`) as unknown as [{ n: number }];
    expect(n).toBe(0);
  });

  // answered as Honcho answers the datetime it parsed (pydantic's text: naive, or in its offset); stored as the instant
  it.each([
    ["2024-01-02", "2024-01-02T00:00:00", "2024-01-02T00:00:00Z"],
    ["2024-01-02 03:04", "2024-01-02T03:04:00", "2024-01-02T03:04:00Z"],
    ["20240102T030405Z", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"],
    ["2024-W01-2T10:00:00-01:30", "2024-01-02T10:00:00-01:30", "2024-01-02T11:30:00Z"],
  ])("reads created_at %s as Python's datetime.fromisoformat", async (value, answered, stored) => {
    const r = await up("form-dates", multipart([file, { name: "peer_id", data: "alice" }, { name: "created_at", data: value }]));
    expect(r.status).toBe(201);
    expect(r.json[0].created_at).toBe(answered);
    const read = await rest(t.app.url, "GET", `/v3/workspaces/up/sessions/form-dates/messages/${r.json[0].id as string}`);
    expect(read.json.created_at).toBe(stored);
  });

  // Honcho answers these 500 (pydantic fails inside its dependency); 422 here.
  it.each([
    ["metadata that is JSON but no object", { metadata: "[1]" }, [{ type: "dict_type", loc: ["body", "metadata"], msg: "Input should be a valid dictionary", input: [1] }]],
    [
      "metadata over 100 keys",
      { metadata: JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]))) },
      [expect.objectContaining({ type: "value_error", loc: ["body", "metadata"], msg: "Value error, Metadata exceeds maximum of 100 top-level keys" })],
    ],
    ["a configuration of the wrong shape", { configuration: '{"reasoning": 5}' }, [{ type: "model_type", loc: ["body", "configuration", "reasoning"], msg: "Input should be a valid dictionary or instance of ReasoningConfiguration", input: 5, ctx: { class_name: "ReasoningConfiguration" } }]],
    ["a peer_id that is no name", { peer_id: "a b" }, [{ type: "string_pattern_mismatch", loc: ["body", "peer_id"], msg: "String should match pattern '^[a-zA-Z0-9_-]+$'", input: "a b", ctx: { pattern: "^[a-zA-Z0-9_-]+$" } }]],
  ])("refuses %s with a 422 (Honcho: 500)", async (_name, fields, detail) => {
    const r = await up("form-bad", multipart([file, ...Object.entries({ peer_id: "alice", ...fields }).map(([name, data]) => ({ name, data }))]));
    expect(r).toEqual({ status: 422, json: { detail } });
    expect(await rowsOf("form-bad")).toEqual([]);
  });

  it("reports a path that is no name with the form's problems", async () => {
    const r = await postUpload(t.app.url, "up", "bad session", multipart([{ name: "peer_id", data: "alice" }]));
    expect(r.status).toBe(422);
    expect(r.json.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual([["path", "session_id"], ["body", "file"]]);
  });

  it("a JSON body is an empty form (request.form() reads nothing it cannot parse)", async () => {
    const r = await up("form", JSON.stringify({ peer_id: "alice" }), "application/json");
    expect(r.status).toBe(422);
    expect(r.json.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual([["body", "peer_id"], ["body", "file"]]);
  });

  it("an urlencoded body has fields but no file", async () => {
    const r = await up("form", "peer_id=alice&metadata=%7B%7D", "application/x-www-form-urlencoded");
    expect(r).toEqual({ status: 422, json: { detail: [{ type: "missing", loc: ["body", "file"], msg: "Field required", input: null }] } });
  });
});

describe("multipart bodies Starlette refuses (400)", () => {
  it.each([
    ["no boundary", "hello", "multipart/form-data", "Missing boundary in multipart."],
    ["another boundary than announced", multipart([{ name: "peer_id", data: "alice" }], { boundary: "other" }), undefined, "There was an error parsing the body"],
    ["a part without a name", multipart([{ rawHeaders: ['Content-Disposition: form-data; filename="f.txt"'], data: "x" }]), undefined, 'The Content-Disposition header field "name" must be provided.'],
    ["a header line that is not a header", multipart([{ rawHeaders: ["Content-Disposition form-data"], data: "x" }]), undefined, "There was an error parsing the body"],
    ["a text part over 1 MiB", multipart([{ name: "metadata", data: "x".repeat(1024 * 1024 + 1) }]), undefined, "Part exceeded maximum size of 1024KB."],
    ["1001 fields", multipart(Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, data: "x" }))), undefined, "Too many fields. Maximum number of fields is 1000."],
    ["1001 files", multipart(Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, filename: "x", data: "x" }))), undefined, "Too many files. Maximum number of files is 1000."],
  ])("%s", async (_name, body, contentType, detail) => {
    const r = await up("mp", body, contentType ?? `multipart/form-data; boundary=${BOUNDARY}`);
    expect(r).toEqual({ status: 400, json: { detail } });
  });

  it("takes leading newlines and an epilogue, and a body cut short keeps only its finished parts", async () => {
    const ok = await up("mp-ok", Buffer.concat([Buffer.from("\r\n\r\n"), uploadForm({ data: "x", type: "text/plain" }, { peer_id: "alice" }), Buffer.from("epilogue")]));
    expect(ok.status).toBe(201);
    const cut = multipart([{ name: "peer_id", data: "alice" }, { name: "file", filename: "f.txt", type: "text/plain", data: "never finished" }], { close: false });
    const r = await up("mp-cut", cut.subarray(0, cut.length - 10));
    expect(r).toEqual({ status: 422, json: { detail: [{ type: "missing", loc: ["body", "file"], msg: "Field required", input: null }] } });
  });
});

describe("storage", () => {
  it("answers 404 for an inactive session and stores nothing", async () => {
    expect((await text("gone", "first")).status).toBe(201);
    await t.db.sql`UPDATE sessions SET is_active = false WHERE workspace_name = 'up' AND name = 'gone'`;
    expect(await text("gone", "second")).toEqual({ status: 404, json: { detail: "Session gone not found in workspace up" } });
    expect((await rowsOf("gone")).map((r) => r.content)).toEqual(["first"]);
  });

  it("stores an upload once per Idempotency-Key; the same key with another file is a conflict", async () => {
    const body = uploadForm({ data: "once", type: "text/plain" }, { peer_id: "alice" });
    const a = await up("idem", body, undefined, { "idempotency-key": "upload-1" });
    const b = await up("idem", body, undefined, { "idempotency-key": "upload-1" });
    expect(a.status).toBe(201);
    expect(b.json).toEqual(a.json);
    expect(await rowsOf("idem")).toHaveLength(1);
    const c = await up("idem", uploadForm({ data: "other", type: "text/plain" }, { peer_id: "alice" }), undefined, { "idempotency-key": "upload-1" });
    expect(c.status).toBe(409);
  });
});

describe("over gRPC and Connect (UploadMessages)", () => {
  const grpc = () => createClient(MessageService, createGrpcTransport({ baseUrl: t.app.url }));

  it("stores the same messages, facts and all", async () => {
    const res = await grpc().uploadMessages({
      workspaceId: "up",
      sessionId: "rpc",
      peerId: "bob",
      file: Buffer.from("a".repeat(25_001)),
      filename: "r.txt",
      contentType: "text/plain",
      metadata: { via: "grpc" },
      configuration: { reasoning: { enabled: false } },
      createdAt: { seconds: 1714564800n, nanos: 5000 },
    });
    expect(res.messages.map((m) => [m.peerId, m.content.length, m.metadata])).toEqual([["bob", 25_000, { via: "grpc" }], ["bob", 1, { via: "grpc" }]]);
    const rows = await rowsOf("rpc");
    expect(rows.map((r) => r.internal_metadata)).toEqual([0, 1].map((i) => ({
      file_id: rows[0]!.internal_metadata.file_id, filename: "r.txt", chunk_index: i, total_chunks: 2, original_file_size: 25_001, content_type: "text/plain", chunk_character_range: [i * 25_000, Math.min((i + 1) * 25_000, 25_001)],
    })));
    expect(rows[0]!.created_at.toISOString()).toBe("2024-05-01T12:00:00.000Z");
  });

  it("answers Honcho's errors with gRPC codes", async () => {
    const call = (req: Parameters<ReturnType<typeof grpc>["uploadMessages"]>[0]) => grpc().uploadMessages(req).then(() => undefined, (e: unknown) => ConnectError.from(e));
    const noType = await call({ workspaceId: "up", sessionId: "rpc-err", peerId: "bob", file: Buffer.from("x") });
    expect([noType?.code, noType?.rawMessage]).toEqual([Code.InvalidArgument, `Unsupported file type: None. Supported types: ${SUPPORTED}`]);
    const noPeer = await call({ workspaceId: "up", sessionId: "rpc-err", file: Buffer.from("x"), contentType: "text/plain" });
    expect([noPeer?.code, noPeer?.rawMessage]).toEqual([Code.InvalidArgument, "1 validation error: body.peer_id: Field required"]);
    const badJson = await call({ workspaceId: "up", sessionId: "rpc-err", peerId: "bob", file: Buffer.from("{"), contentType: "application/json" });
    expect([badJson?.code, badJson?.rawMessage]).toEqual([Code.InvalidArgument, "Uploaded JSON is invalid"]);
  });

  it("works over the Connect protocol too", async () => {
    const connect = createClient(MessageService, createConnectTransport({ baseUrl: t.app.url, httpVersion: "1.1" }));
    const res = await connect.uploadMessages({ workspaceId: "up", sessionId: "rpc-connect", peerId: "bob", file: Buffer.from('{"x": [1.5]}'), contentType: "application/json" });
    expect(res.messages.map((m) => m.content)).toEqual(['{"x": [1.5]}']);
  });
});

describe("authentication", () => {
  const SECRET = "upload-secret";
  let app: App;
  beforeAll(async () => {
    app = await startTestApp(t.db.url, { authUseAuth: true, authJwtSecret: SECRET });
  });
  afterAll(async () => {
    await app?.stop();
  });
  const body = uploadForm({ data: "x", type: "text/plain" }, { peer_id: "alice" });
  const call = (token: string | undefined, b: Buffer | string = body, session = "auth") =>
    postUpload(app.url, "up", session, b, undefined, token ? { authorization: `Bearer ${token}` } : {});

  it("needs a token that may write to the session (Honcho's require_session_write)", async () => {
    expect(await call(undefined)).toEqual({ status: 401, json: { detail: "No access token provided" } });
    expect((await call(hs256({ w: "up", s: "other" }, SECRET))).status).toBe(401);
    expect((await call(hs256({ w: "up", p: "alice" }, SECRET))).status).toBe(401);
    expect((await call(hs256({ w: "up", s: "auth" }, SECRET))).status).toBe(201);
    expect((await call(hs256({ w: "up" }, SECRET))).status).toBe(201);
  });

  it("reads the body first (a malformed one is 400) and checks the token before the fields (401 before 422)", async () => {
    expect((await call(undefined, "garbage")).status).toBe(400);
    expect((await call(undefined, multipart([{ name: "x", data: "y" }]))).status).toBe(401);
  });

  it("over gRPC", async () => {
    const client = createClient(MessageService, createGrpcTransport({ baseUrl: app.url }));
    const req = { workspaceId: "up", sessionId: "auth", peerId: "alice", file: Buffer.from("x"), contentType: "text/plain" };
    await expect(client.uploadMessages(req)).rejects.toMatchObject({ code: Code.Unauthenticated });
    const res = await client.uploadMessages(req, { headers: { authorization: `Bearer ${hs256({ w: "up", s: "auth" }, SECRET)}` } });
    expect(res.messages).toHaveLength(1);
  });
});

describe("GET /openapi.json", () => {
  it("documents the route as FastAPI documents Honcho's", async () => {
    const doc = (await (await fetch(`${t.app.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    const op = "create_messages_with_file_v3_workspaces__workspace_id__sessions__session_id__messages_upload_post";
    // from Honcho's docs/v3/openapi.json
    expect(doc.paths["/v3/workspaces/{workspace_id}/sessions/{session_id}/messages/upload"]!.post).toEqual({
      tags: ["messages"],
      summary: "Create Messages With File",
      description: "Create messages from uploaded files. Files are converted to text and split into multiple messages.",
      operationId: op,
      security: [{ HTTPBearer: [] }],
      parameters: [
        { name: "workspace_id", in: "path", required: true, schema: { type: "string", title: "Workspace Id" } },
        { name: "session_id", in: "path", required: true, schema: { type: "string", title: "Session Id" } },
      ],
      requestBody: { required: true, content: { "multipart/form-data": { schema: { $ref: `#/components/schemas/Body_${op}` } } } },
      responses: {
        "201": {
          description: "Successful Response",
          content: {
            "application/json": {
              schema: { type: "array", items: { $ref: "#/components/schemas/Message" }, title: "Response Create Messages With File V3 Workspaces  Workspace Id  Sessions  Session Id  Messages Upload Post" },
            },
          },
        },
        "422": { description: "Validation Error", content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPValidationError" } } } },
      },
    });
    expect(doc.components.schemas[`Body_${op}`]).toEqual({
      properties: {
        file: { type: "string", contentMediaType: "application/octet-stream", title: "File" },
        peer_id: { type: "string", title: "Peer Id" },
        metadata: { anyOf: [{ type: "string" }, { type: "null" }], title: "Metadata" },
        configuration: { anyOf: [{ type: "string" }, { type: "null" }], title: "Configuration" },
        created_at: { anyOf: [{ type: "string" }, { type: "null" }], title: "Created At" },
      },
      type: "object",
      required: ["file", "peer_id"],
      title: `Body_${op}`,
    });
  });
});
