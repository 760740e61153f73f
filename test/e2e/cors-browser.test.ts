// CORS, as Honcho's CORSMiddleware (Starlette) answers it, on every protocol
// path: preflights and response headers over plain HTTP (allowed and refused
// origins, credentials, methods, headers, Vary), CORS_ORIGINS as Honcho reads
// it, Starlette's other branches ("*" origins, a header list), and a real
// Chromium: a page on another origin (a second local server) calls the
// service over Connect, gRPC-Web (@connectrpc/connect-web, bundled here with
// esbuild) and REST (fetch), and a page on an origin not allowed is refused.
import fs from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { ALL_METHODS, EXPOSED_HEADERS, withCors } from "../../src/transport/cors.js";
import type { App } from "../../src/app.js";
import { createTestDatabase, startTestApp, type TestDb } from "../support/app.js";
import type { Outcome } from "../support/cors-page/client.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `\n${"!".repeat(78)}\n!! ${CHROMIUM} is missing: SKIPPING the browser test of CORS.\n` +
      `!! Install it (apt-get install -y chromium) to run it; .ci/run does.\n${"!".repeat(78)}\n`,
  );
}

interface Location {
  origin: string;
}

// Chromium takes seconds to start, many more on a loaded machine
const BROWSER_MS = 180_000;
const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "../support/cors-page");
const HONCHO_DEFAULT = ["http://localhost", "http://127.0.0.1:8000", "https://api.honcho.dev"];

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(base: string, method: string, urlPath: string, headers: Record<string, string>, body?: string | Buffer): Promise<Raw> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A local HTTP server for the test page and its bundled client: the other origin. */
async function pageServer(bundle: string): Promise<{ origin: string; close(): Promise<void> }> {
  const html = fs.readFileSync(path.join(PAGE_DIR, "index.html"));
  const server = http.createServer((req, res) => {
    if (req.url === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    else if (req.url === "/client.js") res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let db: TestDb;
let app: App;
let bundle: string;
let allowed: Awaited<ReturnType<typeof pageServer>>;
let refused: Awaited<ReturnType<typeof pageServer>>;

beforeAll(async () => {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [path.join(PAGE_DIR, "client.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  bundle = out.outputFiles[0]!.text;
  allowed = await pageServer(bundle);
  refused = await pageServer(bundle);
  db = await createTestDatabase();
  // Honcho's defaults plus the test page's origin, as CORS_ORIGINS would give them
  const { corsOrigins } = loadConfig({ CORS_ORIGINS: JSON.stringify([...HONCHO_DEFAULT, allowed.origin]) });
  app = await startTestApp(db.url, { corsOrigins });
});

afterAll(async () => {
  await app?.stop();
  await db?.drop();
  await allowed?.close();
  await refused?.close();
});

const REST = "/v3/workspaces/cors-ws/sessions/cors-s/messages";
const CONNECT = "/honcho.v3.MessageService/CreateMessages";

describe("CORS_ORIGINS", () => {
  it("defaults to Honcho's list, and is read as a JSON array like pydantic-settings reads it", () => {
    expect(loadConfig({}).corsOrigins).toEqual(HONCHO_DEFAULT);
    expect(loadConfig({ CORS_ORIGINS: "" }).corsOrigins).toEqual(HONCHO_DEFAULT);
    expect(loadConfig({ CORS_ORIGINS: '["https://app.example.com", "http://localhost:3000"]' }).corsOrigins).toEqual([
      "https://app.example.com",
      "http://localhost:3000",
    ]);
    expect(loadConfig({ CORS_ORIGINS: '["*"]' }).corsOrigins).toEqual(["*"]);
    expect(loadConfig({ CORS_ORIGINS: "[]" }).corsOrigins).toEqual([]);
    for (const bad of ["https://app.example.com", "https://a.example,https://b.example", '"https://a.example"', "[1]", "{}"]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS must be a JSON array of origins/);
    }
  });
});

describe("preflights (OPTIONS with Access-Control-Request-Method), Honcho's arguments", () => {
  it("answers an allowed origin 200 OK: its origin, credentials, every method, the asked headers mirrored, Vary: Origin", async () => {
    for (const target of [REST, CONNECT, "/anything/at/all"]) {
      const res = await request(app.url, "OPTIONS", target, {
        origin: allowed.origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,connect-protocol-version,x-grpc-web,x-user-agent,authorization,X-Custom",
      });
      expect(res.status, target).toBe(200);
      expect(res.body).toBe("OK");
      expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(res.headers["access-control-allow-origin"]).toBe(allowed.origin);
      expect(res.headers["access-control-allow-credentials"]).toBe("true");
      expect(res.headers["access-control-allow-methods"]).toBe("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
      expect(res.headers["access-control-allow-headers"]).toBe("content-type,connect-protocol-version,x-grpc-web,x-user-agent,authorization,X-Custom");
      expect(res.headers["access-control-max-age"]).toBe("600");
      expect(res.headers["vary"]).toBe("Origin");
      // the preflight itself exposes nothing: that belongs to actual responses
      expect(res.headers["access-control-expose-headers"]).toBeUndefined();
    }
  });

  it("accepts Honcho's default origins and every method Starlette's '*' stands for", async () => {
    for (const origin of HONCHO_DEFAULT) {
      const res = await request(app.url, "OPTIONS", REST, { origin, "access-control-request-method": "PUT" });
      expect(res.status, origin).toBe(200);
      expect(res.headers["access-control-allow-origin"]).toBe(origin);
      expect(res.headers["access-control-allow-headers"]).toBeUndefined(); // none asked, none listed
    }
    for (const method of ALL_METHODS) {
      expect((await request(app.url, "OPTIONS", REST, { origin: allowed.origin, "access-control-request-method": method })).status, method).toBe(200);
    }
  });

  it("refuses an origin not listed with 400 'Disallowed CORS origin' and no Allow-Origin; methods outside the list likewise", async () => {
    const other = await request(app.url, "OPTIONS", REST, { origin: refused.origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" });
    expect(other.status).toBe(400);
    expect(other.body).toBe("Disallowed CORS origin");
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    // the rest of Starlette's preflight headers still go out
    expect(other.headers["access-control-allow-credentials"]).toBe("true");
    expect(other.headers["access-control-allow-methods"]).toBe("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
    expect(other.headers["access-control-allow-headers"]).toBe("content-type");
    expect(other.headers["vary"]).toBe("Origin");

    // origins are compared exactly: scheme, host and port
    for (const near of [`${allowed.origin}/`, allowed.origin.replace("http:", "https:"), "http://localhost:8000", "http://LOCALHOST", "null"]) {
      const res = await request(app.url, "OPTIONS", REST, { origin: near, "access-control-request-method": "POST" });
      expect(res.status, near).toBe(400);
      expect(res.body).toBe("Disallowed CORS origin");
    }

    // Starlette compares the method as sent, so a lower-case one fails too
    for (const method of ["PURGE", "post", "CONNECT", "TRACE"]) {
      const res = await request(app.url, "OPTIONS", REST, { origin: allowed.origin, "access-control-request-method": method });
      expect(res.status, method).toBe(400);
      expect(res.body).toBe("Disallowed CORS method");
      expect(res.headers["access-control-allow-origin"]).toBe(allowed.origin);
    }
    const both = await request(app.url, "OPTIONS", REST, { origin: refused.origin, "access-control-request-method": "PURGE" });
    expect(both.body).toBe("Disallowed CORS origin, method");
  });

  it("leaves requests without an Origin, and OPTIONS without Access-Control-Request-Method, to the service", async () => {
    const bare = await request(app.url, "OPTIONS", REST, { "access-control-request-method": "POST" });
    expect(bare.body).not.toBe("OK");
    expect(bare.headers["access-control-allow-methods"]).toBeUndefined();
    const plain = await request(app.url, "OPTIONS", REST, { origin: allowed.origin });
    expect(plain.body).not.toBe("OK");
    expect(plain.headers["access-control-allow-methods"]).toBeUndefined();
    expect(plain.headers["access-control-allow-origin"]).toBe(allowed.origin); // a simple response: CORS headers on it
    const none = await request(app.url, "POST", REST, { "content-type": "application/json" }, JSON.stringify({ messages: [{ content: "no origin", peer_id: "p" }] }));
    expect(none.status).toBe(201);
    for (const h of Object.keys(none.headers)) expect(h).not.toMatch(/^access-control-/);
    expect(none.headers["vary"]).toBeUndefined();
  });
});

describe("actual responses, on every protocol path", () => {
  const expectCors = (res: Raw, origin: string | undefined, what: string) => {
    expect(res.headers["access-control-allow-origin"], what).toBe(origin);
    expect(res.headers["access-control-allow-credentials"], what).toBe("true");
    expect(res.headers["access-control-expose-headers"], what).toBe(EXPOSED_HEADERS.join(", "));
  };

  it("exposes what gRPC-Web and Connect clients read", () => {
    const exposed = EXPOSED_HEADERS.map((h) => h.toLowerCase());
    for (const h of ["grpc-status", "grpc-message", "grpc-status-details-bin", "connect-content-encoding", "connect-accept-encoding", "grpc-encoding", "x-request-id"]) {
      expect(exposed).toContain(h);
    }
  });

  it("REST, Connect and gRPC-Web answers (successes and errors) carry the origin, credentials, exposed headers and Vary: Origin", async () => {
    const calls: [string, string, Record<string, string>, string | Buffer, number][] = [
      ["REST 201", REST, { "content-type": "application/json" }, JSON.stringify({ messages: [{ content: "r", peer_id: "p" }] }), 201],
      ["REST 422", REST, { "content-type": "application/json" }, JSON.stringify({ messages: [] }), 422],
      ["REST 404", "/v3/nowhere", { "content-type": "application/json" }, "{}", 404],
      ["Connect 200", CONNECT, { "content-type": "application/json", "connect-protocol-version": "1" }, JSON.stringify({ workspaceId: "cors-ws", sessionId: "cors-s", messages: [{ content: "c", peerId: "p" }] }), 200],
      ["Connect 400", CONNECT, { "content-type": "application/json", "connect-protocol-version": "1" }, JSON.stringify({ workspaceId: "cors-ws", sessionId: "cors-s", messages: [] }), 400],
      ["gRPC-Web", CONNECT, { "content-type": "application/grpc-web+json", "x-grpc-web": "1" }, frame(JSON.stringify({ workspaceId: "cors-ws", sessionId: "cors-s", messages: [] })), 200],
    ];
    for (const [what, target, headers, body, status] of calls) {
      const ok = await request(app.url, "POST", target, { ...headers, origin: allowed.origin }, body);
      expect(ok.status, what).toBe(status);
      expectCors(ok, allowed.origin, what);
      expect(ok.headers["vary"], what).toBe("Origin");
      // a refused origin: the same answer, no Allow-Origin (the browser then hides it),
      // and Starlette's unconditional simple headers
      const no = await request(app.url, "POST", target, { ...headers, origin: refused.origin }, body);
      expect(no.status, what).toBe(status);
      expectCors(no, undefined, what);
      expect(no.headers["vary"], what).toBeUndefined();
    }
  });

  it("adds Origin to a Vary the service already set, and covers GET paths (/openapi.json, /docs assets, /health)", async () => {
    const docs = await request(app.url, "GET", "/docs", { origin: allowed.origin });
    const asset = /src="(\/[^"]+\.js)"/.exec(docs.body)![1]!;
    const res = await request(app.url, "GET", asset, { origin: allowed.origin, "accept-encoding": "gzip" });
    expect(res.status).toBe(200);
    expect(res.headers["vary"]).toBe("accept-encoding, Origin");
    expect(res.headers["access-control-allow-origin"]).toBe(allowed.origin);
    for (const p of ["/openapi.json", "/health", "/docs"]) {
      const r = await request(app.url, "GET", p, { origin: allowed.origin });
      expect(r.status, p).toBeLessThan(500);
      expect(r.headers["access-control-allow-origin"], p).toBe(allowed.origin);
    }
  });

  it("does the same over HTTP/2 (h2c), gRPC included", async () => {
    const session = http2.connect(app.url);
    try {
      const call = (headers: http2.OutgoingHttpHeaders, body: Buffer | string) =>
        new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
          const s = session.request({ ":method": "POST", ...headers });
          s.on("response", (h) => resolve(h));
          s.on("error", reject);
          s.resume();
          s.end(body);
        });
      const grpc = await call(
        { ":path": CONNECT, "content-type": "application/grpc+json", te: "trailers", origin: allowed.origin },
        frame(JSON.stringify({ workspaceId: "cors-ws", sessionId: "cors-s", messages: [{ content: "h2", peerId: "p" }] })),
      );
      expect(grpc[":status"]).toBe(200);
      expect(grpc["access-control-allow-origin"]).toBe(allowed.origin);
      expect(grpc["access-control-expose-headers"]).toBe(EXPOSED_HEADERS.join(", "));
      const rest = await call({ ":path": REST, "content-type": "application/json", origin: allowed.origin }, JSON.stringify({ messages: [{ content: "h2", peer_id: "p" }] }));
      expect(rest[":status"]).toBe(201);
      expect(rest["access-control-allow-origin"]).toBe(allowed.origin);
      expect(rest["vary"]).toBe("Origin");
      const pre = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const s = session.request({ ":method": "OPTIONS", ":path": CONNECT, origin: allowed.origin, "access-control-request-method": "POST" });
        s.on("response", resolve);
        s.on("error", reject);
        s.resume();
        s.end();
      });
      expect(pre[":status"]).toBe(200);
      expect(pre["access-control-allow-origin"]).toBe(allowed.origin);
    } finally {
      session.close();
    }
  });
});

describe("Starlette's other branches (withCors on a bare server)", () => {
  async function serve(options: Parameters<typeof withCors>[1], vary?: string) {
    const server = http.createServer(
      withCors((req, res) => {
        (res as http.ServerResponse).writeHead(200, { "content-type": "text/plain", ...(vary ? { vary } : {}) });
        res.end("app");
      }, options),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it('"*" origins with credentials: preflights and simple answers name the origin, cookie or not (Starlette 1.0)', async () => {
    const s = await serve({ allowOrigins: ["*"] });
    try {
      const pre = await request(s.url, "OPTIONS", "/", { origin: "https://anywhere.example", "access-control-request-method": "GET" });
      expect(pre.status).toBe(200);
      expect(pre.headers["access-control-allow-origin"]).toBe("https://anywhere.example");
      expect(pre.headers["vary"]).toBe("Origin");
      for (const extra of [{}, { cookie: "a=1" }] as Record<string, string>[]) {
        const simple = await request(s.url, "GET", "/", { origin: "https://anywhere.example", ...extra });
        expect(simple.body).toBe("app");
        expect(simple.headers["access-control-allow-origin"]).toBe("https://anywhere.example");
        expect(simple.headers["access-control-allow-credentials"]).toBe("true");
        expect(simple.headers["vary"]).toBe("Origin");
      }
    } finally {
      await s.close();
    }
  });

  it('"*" origins without credentials: a fixed "*" everywhere, and no credentials header', async () => {
    const s = await serve({ allowOrigins: ["*"], allowCredentials: false, exposeHeaders: [] });
    try {
      const pre = await request(s.url, "OPTIONS", "/", { origin: "https://anywhere.example", "access-control-request-method": "GET" });
      expect(pre.headers["access-control-allow-origin"]).toBe("*");
      expect(pre.headers["vary"]).toBeUndefined();
      expect(pre.headers["access-control-allow-credentials"]).toBeUndefined();
      const simple = await request(s.url, "GET", "/", { origin: "https://anywhere.example" });
      expect(simple.headers["access-control-allow-origin"]).toBe("*");
      expect(simple.headers["access-control-expose-headers"]).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it("a header list: listed (plus the safelisted four) pass, others give 'Disallowed CORS headers'; a method list likewise", async () => {
    const s = await serve({ allowOrigins: ["https://app.example"], allowHeaders: ["X-Token"], allowMethods: ["GET", "POST"] }, "Accept-Encoding");
    try {
      const ok = await request(s.url, "OPTIONS", "/", { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "x-token, Content-Type" });
      expect(ok.status).toBe(200);
      expect(ok.headers["access-control-allow-headers"]).toBe("Accept, Accept-Language, Content-Language, Content-Type, X-Token");
      expect(ok.headers["access-control-allow-methods"]).toBe("GET, POST");
      const header = await request(s.url, "OPTIONS", "/", { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "x-token,authorization" });
      expect(header.status).toBe(400);
      expect(header.body).toBe("Disallowed CORS headers");
      expect(header.headers["access-control-allow-origin"]).toBe("https://app.example");
      const bad = await request(s.url, "OPTIONS", "/", { origin: "https://other.example", "access-control-request-method": "PUT", "access-control-request-headers": "x-token, authorization" });
      expect(bad.status).toBe(400);
      expect(bad.body).toBe("Disallowed CORS origin, method, headers");
      const simple = await request(s.url, "GET", "/", { origin: "https://app.example" });
      expect(simple.headers["vary"]).toBe("Accept-Encoding, Origin");
    } finally {
      await s.close();
    }
  });

  it("refuses a Private Network Access preflight unless allowed, as Starlette 1.0 does (Honcho leaves it off)", async () => {
    const asked = { origin: "https://a.example", "access-control-request-method": "GET", "access-control-request-private-network": "true" };
    const off = await serve({ allowOrigins: ["https://a.example"] });
    const on = await serve({ allowOrigins: ["https://a.example"], allowPrivateNetwork: true });
    try {
      const refused = await request(off.url, "OPTIONS", "/", asked);
      expect([refused.status, refused.body]).toEqual([400, "Disallowed CORS private-network"]);
      expect(refused.headers["access-control-allow-private-network"]).toBeUndefined();
      const both = await request(off.url, "OPTIONS", "/", { ...asked, origin: "https://b.example" });
      expect(both.body).toBe("Disallowed CORS origin, private-network");
      const allowed = await request(on.url, "OPTIONS", "/", asked);
      expect([allowed.status, allowed.body]).toEqual([200, "OK"]);
      expect(allowed.headers["access-control-allow-private-network"]).toBe("true");
    } finally {
      await off.close();
      await on.close();
    }
  });
});

describe.skipIf(!hasChromium)("a web app on another origin, in Chromium", () => {
  async function runPage(origin: string, workspace: string): Promise<{ results: Record<string, Outcome>; shown: Record<string, Outcome>; consoleErrors: string[] }> {
    const { chromium } = await import("playwright-core");
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "cors-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // No network: every host but 127.0.0.1 (the three servers) fails to resolve.
      // Not context.route(): with interception on, Playwright answers CORS
      // preflights itself, allowing everything, and the service never sees them.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
      ],
      timeout: 30_000,
    });
    try {
      const local = new Set([allowed.origin, refused.origin, new URL(app.url).origin]);
      const offsite: string[] = [];
      context.on("request", (r) => void (!local.has(new URL(r.url()).origin) && offsite.push(r.url())));
      const page = context.pages()[0] ?? (await context.newPage());
      const consoleErrors: string[] = [];
      page.on("pageerror", (e) => void consoleErrors.push(`pageerror: ${String(e)}`));
      page.on("console", (m) => void (m.type() === "error" && consoleErrors.push(m.text())));
      const answer = await page.goto(`${origin}/`, { waitUntil: "load" });
      expect(answer?.status()).toBe(200);
      expect(await page.evaluate(() => (globalThis as unknown as { location: Location }).location.origin)).toBe(origin);
      const results = await page.evaluate(
        ([base, ws]) => (globalThis as unknown as { corsClient: { run(b: string, w: string, s: string): Promise<Record<string, Outcome>> } }).corsClient.run(base!, ws!, "s1"),
        [app.url, workspace],
      );
      const shown = JSON.parse((await page.locator("#results").textContent())!) as Record<string, Outcome>;
      expect(offsite).toEqual([]); // everything, the client included, came from the two local servers
      return { results, shown, consoleErrors };
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }

  it("creates and lists messages over Connect, gRPC-Web and REST, credentials included, and reads errors and exposed headers", async () => {
    expect(allowed.origin).not.toBe(new URL(app.url).origin);
    const { results, shown, consoleErrors } = await runPage(allowed.origin, "browser-ok");
    expect(shown).toEqual(results); // written into the page, read back from it

    expect(results.connect).toEqual({
      created: ["via connect"],
      listed: ["via connect"],
      invalid: { code: "InvalidArgument", message: expect.stringContaining("List should have at least 1 item") as unknown as string, details: ["honcho.v3.HTTPValidationError"] },
    });
    // this server sends gRPC-Web's status and details in the body's trailer frame;
    // a trailers-only answer (from a proxy, say) carries them in exposed headers
    expect(results.grpcWeb).toEqual({
      created: ["via grpc-web"],
      listed: ["via connect", "via grpc-web"],
      invalid: { code: "InvalidArgument", message: expect.stringContaining("List should have at least 1 item") as unknown as string, details: ["honcho.v3.HTTPValidationError"] },
    });
    expect(results.rest!.failed).toBeUndefined();
    expect(results.rest!.created).toEqual(["via rest"]);
    expect(results.rest!.listed).toEqual(["via connect", "via grpc-web", "via rest"]);
    expect(results.rest!.invalid).toEqual({ code: "422", message: "List should have at least 1 item after validation, not 0", details: ["too_short"] });
    // the request id it sent (a non-safelisted header: allowed by the preflight) and read back (exposed)
    expect(results.rest!.requestId).toBe("rest-via-rest");
    expect(results.rest!.visibleHeaders).toEqual(expect.arrayContaining(["content-type", "x-request-id"]));
    expect(results.rest!.visibleHeaders).not.toContain("access-control-allow-origin"); // not exposed: only what is listed
    expect(results.grpcWebHeaders!.failed).toBeUndefined();
    expect(results.grpcWebHeaders!.visibleHeaders).toEqual(expect.arrayContaining(["content-type", "x-request-id"]));
    expect(results.simpleGet).toEqual({ created: ["200"], visibleHeaders: expect.arrayContaining(["content-type"]) as unknown as string[] });
    // Chromium logs the 400, 422 (and the page server's favicon 404) it was given; nothing about CORS
    expect(consoleErrors.filter((e) => /CORS|Access-Control|pageerror/i.test(e))).toEqual([]);

    // stored, each once
    const rows = await db.sql<{ content: string }[]>`SELECT content FROM messages WHERE workspace_name = 'browser-ok'`;
    expect(rows.map((r) => r.content).sort()).toEqual(["via connect", "via grpc-web", "via rest"]);
  }, BROWSER_MS);

  it("a page on an origin not allowed: every call fails in the browser, and nothing that needed a preflight was stored", async () => {
    const { results, consoleErrors } = await runPage(refused.origin, "browser-refused");
    for (const name of ["connect", "grpcWeb", "rest", "grpcWebHeaders", "simpleGet"]) {
      const r = results[name]!;
      expect(r.failed, name).toMatch(/Failed to fetch/);
      expect(r.created, name).toBeUndefined();
    }
    // Chromium reports each refusal as a CORS error
    expect(consoleErrors.some((e) => /blocked by CORS policy/.test(e))).toBe(true);
    const rows = await db.sql`SELECT 1 FROM messages WHERE workspace_name = 'browser-refused'`;
    expect(rows).toHaveLength(0);
  }, BROWSER_MS);
});

/** One gRPC length-prefixed message (uncompressed). */
function frame(payload: string): Buffer {
  const bytes = Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}
