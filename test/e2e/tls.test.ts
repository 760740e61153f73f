// TLS and mutual TLS on the one port (TLS_CERT_FILE, TLS_KEY_FILE,
// TLS_CLIENT_CA_FILE), with certificates the real openssl makes: buf curl,
// connect-node's gRPC client and REST over HTTP/1.1 and h2 on the same port;
// client certificates checked at the handshake (nothing stored for a client
// refused); certificates reloaded with open connections kept; the cleartext
// timeouts and graceful shutdown over TLS; start-up errors that name the
// setting; SIGHUP reaching every worker of a real process.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http2 from "node:http2";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { Code, ConnectError } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import type { TlsFiles } from "../../src/transport/tls.js";
import { createTestDatabase, memoryLogger, startTestApp, type TestDb } from "../support/app.js";
import { certMaker, type CertFiles } from "../support/certs.js";
import { messageClient } from "../support/clients.js";
import { freePort } from "../support/service-process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const certs = certMaker();
const ca = certs.ca("Test CA");
const serverOne = certs.server("server-one", ca);
const serverTwo = certs.server("server-two", ca);
const client = certs.client("client", ca);
const otherCa = certs.ca("Other CA");
const stranger = certs.client("stranger", otherCa); // a client certificate our CA did not issue
const pem = (file: string) => fs.readFileSync(file);
const CA = pem(ca.cert);

let db: TestDb;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
  certs.remove();
});

function filesOf(server: CertFiles, clientCa?: CertFiles): TlsFiles {
  return clientCa ? { certFile: server.cert, keyFile: server.key, clientCaFile: clientCa.cert } : { certFile: server.cert, keyFile: server.key };
}

/** The service over TLS for a describe block: `t.app` once beforeAll has run. */
function useTlsApp(files: () => TlsFiles, overrides: Partial<Config> = {}, log?: ReturnType<typeof memoryLogger>["log"]): { app: App; stopped: boolean } {
  const t = { stopped: false } as { app: App; stopped: boolean };
  beforeAll(async () => {
    t.app = await startTestApp(db.url, { tls: files(), ...overrides }, log);
  });
  afterAll(async () => {
    if (!t.stopped) await t.app?.stop();
  });
  return t;
}

const body = (content = "hi") => JSON.stringify({ messages: [{ content, peer_id: "alice" }] });
const restPath = (session: string) => `/v3/workspaces/tls/sessions/${session}/messages`;
const stored = async (session: string) => (await db.sql`SELECT content FROM messages WHERE workspace_name = 'tls' AND session_name = ${session}`).map((r) => r.content as string);

/** REST over HTTP/1.1 through node:https (ALPN as given: none by default). */
function restHttps(url: string, session: string, options: https.RequestOptions & tls.ConnectionOptions = {}): Promise<{ status: number; alpn: string | false | null; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}${restPath(session)}`, { method: "POST", headers: { "content-type": "application/json" }, ca: CA, agent: false, ...options }, (res) => {
      let text = "";
      const alpn = (res.socket as tls.TLSSocket).alpnProtocol; // a keep-alive agent takes the socket back at the end
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, alpn, text }));
    });
    req.on("error", reject);
    req.end(body());
  });
}

/** REST over h2 on an open session. */
function restH2(session: http2.ClientHttp2Session, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = session.request({ ":method": "POST", ":path": restPath(name), "content-type": "application/json" });
    let status = 0;
    s.on("response", (h) => (status = Number(h[":status"])));
    s.on("data", () => {});
    s.on("end", () => resolve(status));
    s.on("error", reject);
    s.end(body());
  });
}

function h2Connect(url: string, options: http2.SecureClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { ca: CA, ...options });
    session.once("connect", () => resolve(session));
    session.once("error", reject);
  });
}

/** The certificate a new TLS connection is shown, and whether it resumed a session. */
function handshake(url: string, options: tls.ConnectionOptions = {}): Promise<{ fingerprint256: string; reused: boolean; session?: Buffer; socket: tls.TLSSocket }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port: Number(port), ca: CA, ALPNProtocols: ["http/1.1"], ...options });
    let session: Buffer | undefined;
    socket.on("session", (s: Buffer) => (session = s)); // TLS 1.3: tickets come after the handshake
    socket.once("secureConnect", () => {
      const shown = { fingerprint256: socket.getPeerCertificate().fingerprint256, reused: socket.isSessionReused() };
      setTimeout(() => resolve({ ...shown, session, socket }), 50);
    });
    socket.once("error", reject);
  });
}

function buf(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(path.join(ROOT, "node_modules/.bin/buf"), args, { cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

function bufCreate(url: string, session: string, flags: string[]) {
  return buf(["curl", "--schema", "proto", "--cacert", ca.cert, ...flags, `${url}/honcho.v3.MessageService/CreateMessages`, "-d",
    JSON.stringify({ workspace_id: "tls", session_id: session, messages: [{ content: "hi", peer_id: "alice" }] })]);
}

describe("TLS on the one port", () => {
  const t = useTlsApp(() => filesOf(serverOne));

  it("says https in its URL", () => {
    expect(t.app.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each([
    ["grpc, h2 by ALPN", ["--protocol", "grpc"]],
    ["grpc, --http2-prior-knowledge", ["--protocol", "grpc", "--http2-prior-knowledge"]],
    ["connect", ["--protocol", "connect"]],
    ["grpcweb", ["--protocol", "grpcweb"]],
  ])("lets buf curl call CreateMessages (%s)", async (name, flags) => {
    const session = `buf-${name.replace(/[^a-z0-9]+/g, "-")}`;
    const out = await bufCreate(t.app.url, session, flags);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const res = JSON.parse(out.stdout) as { messages: { content: string; sessionId: string }[] };
    expect(res.messages).toMatchObject([{ content: "hi", sessionId: session }]);
    expect(await stored(session)).toEqual(["hi"]);
  });

  it("serves connect-node's gRPC client (h2), and Connect and gRPC-Web over HTTP/1.1, on the same port", async () => {
    const transports = {
      grpc: createGrpcTransport({ baseUrl: t.app.url, nodeOptions: { ca: CA } }),
      connect: createConnectTransport({ baseUrl: t.app.url, httpVersion: "1.1", nodeOptions: { ca: CA } }),
      grpcweb: createGrpcWebTransport({ baseUrl: t.app.url, httpVersion: "1.1", nodeOptions: { ca: CA } }),
    };
    for (const [name, transport] of Object.entries(transports)) {
      const res = await messageClient(transport).createMessages({ workspaceId: "tls", sessionId: `node-${name}`, messages: [{ content: name, peerId: "alice" }] });
      expect(res.messages.map((m) => m.content)).toEqual([name]);
      expect(await stored(`node-${name}`)).toEqual([name]);
    }
  });

  it("serves REST over HTTP/1.1 (with ALPN http/1.1 or none) and over h2, on the same port", async () => {
    const plain = await restHttps(t.app.url, "rest-h1");
    expect(plain).toMatchObject({ status: 201, alpn: false });
    const alpn = await restHttps(t.app.url, "rest-h1-alpn", { ALPNProtocols: ["http/1.1"] });
    expect(alpn).toMatchObject({ status: 201, alpn: "http/1.1" });
    const session = await h2Connect(t.app.url);
    try {
      expect(session.alpnProtocol).toBe("h2");
      expect(await restH2(session, "rest-h2")).toBe(201);
    } finally {
      session.close();
    }
    expect(await stored("rest-h1")).toEqual(["hi"]);
    expect(await stored("rest-h1-alpn")).toEqual(["hi"]);
    expect(await stored("rest-h2")).toEqual(["hi"]);
  });

  it("answers no cleartext request on the TLS port", async () => {
    const port = new URL(t.app.url).port;
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});

describe("client certificates (TLS_CLIENT_CA_FILE)", () => {
  const t = useTlsApp(() => filesOf(serverOne, ca));
  const mine = { cert: pem(client.cert), key: pem(client.key) };
  const theirs = { cert: pem(stranger.cert), key: pem(stranger.key) };

  it("serves a client with a certificate the CA issued, over REST, gRPC and buf curl", async () => {
    expect(await restHttps(t.app.url, "mtls-rest", mine)).toMatchObject({ status: 201 });
    const res = await messageClient(createGrpcTransport({ baseUrl: t.app.url, nodeOptions: { ca: CA, ...mine } })).createMessages({
      workspaceId: "tls", sessionId: "mtls-grpc", messages: [{ content: "hi", peerId: "alice" }],
    });
    expect(res.messages).toHaveLength(1);
    const out = await bufCreate(t.app.url, "mtls-buf", ["--protocol", "grpc", "--cert", client.cert, "--key", client.key]);
    expect(out.code).toBe(0);
    for (const s of ["mtls-rest", "mtls-grpc", "mtls-buf"]) expect(await stored(s)).toEqual(["hi"]);
  });

  // the transport's own failure, never an answer; which one depends on when
  // the close reaches the client (an alert read, a write to a closed socket)
  const REFUSED = ["unavailable", "internal", "canceled", "unknown"];

  it.each([
    ["no certificate", {}],
    ["a certificate from another CA", theirs],
  ])("refuses a client with %s at the handshake, and stores nothing", async (name, creds) => {
    const session = `refused-${name.replace(/[^a-z]+/g, "-")}`;
    await expect(restHttps(t.app.url, `${session}-rest`, creds)).rejects.toThrow();
    const err = await messageClient(createGrpcTransport({ baseUrl: t.app.url, nodeOptions: { ca: CA, ...creds } }))
      .createMessages({ workspaceId: "tls", sessionId: `${session}-grpc`, messages: [{ content: "hi", peerId: "alice" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(REFUSED).toContain(Code[(err as ConnectError).code].toLowerCase());
    const out = await bufCreate(t.app.url, `${session}-buf`, ["--protocol", "grpc", ...("cert" in creds ? ["--cert", stranger.cert, "--key", stranger.key] : [])]);
    expect(out.code).not.toBe(0);
    expect(REFUSED).toContain((JSON.parse(out.stderr) as { code: string }).code);
    // a raw TLS client: the connection ends before any request is read
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port: Number(new URL(t.app.url).port), ca: CA, ALPNProtocols: ["http/1.1"], ...creds });
      socket.on("secureConnect", () => socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
      socket.on("data", (d) => resolve(`answered: ${String(d).split("\r\n")[0]}`));
      socket.on("error", (e) => resolve(e.message));
      socket.on("close", () => resolve("closed"));
    });
    expect(outcome).not.toMatch(/^answered/);
    for (const s of ["rest", "grpc", "buf"]) expect(await stored(`${session}-${s}`)).toEqual([]);
  });
});

describe("certificate reload (the app's reload, as on SIGHUP)", () => {
  const dir = fs.mkdtempSync(path.join(certs.dir, "live-"));
  const live = { cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") };
  const install = (c: CertFiles) => {
    fs.copyFileSync(c.cert, live.cert);
    fs.copyFileSync(c.key, live.key);
  };
  install(serverOne);
  const logs = memoryLogger();
  const t = useTlsApp(() => ({ certFile: live.cert, keyFile: live.key }), {}, logs.log);

  it("shows new connections the new certificate, and keeps the connections already open", async () => {
    const before = await handshake(t.app.url);
    expect(before.fingerprint256).toBe(serverOne.fingerprint256);
    before.socket.destroy();
    const resumed = await handshake(t.app.url, { session: before.session });
    expect(resumed.reused).toBe(true); // session resumption works, so the check after the reload means something
    resumed.socket.destroy();

    // open before the reload: an h2 session and an HTTP/1.1 keep-alive connection
    const h2 = await h2Connect(t.app.url);
    expect(await restH2(h2, "reload-h2-before")).toBe(201);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: CA });
    const h1 = await restHttps(t.app.url, "reload-h1-before", { agent });
    expect(h1.status).toBe(201);

    install(serverTwo);
    expect(await t.app.reload()).toBe(true);

    const after = await handshake(t.app.url);
    expect(after.fingerprint256).toBe(serverTwo.fingerprint256);
    after.socket.destroy();
    const notResumed = await handshake(t.app.url, { session: before.session });
    expect(notResumed).toMatchObject({ reused: false, fingerprint256: serverTwo.fingerprint256 });
    notResumed.socket.destroy();

    // the connections opened before go on, on their first certificate
    expect(await restH2(h2, "reload-h2-after")).toBe(201);
    expect((h2.socket as tls.TLSSocket).getPeerCertificate().fingerprint256).toBe(serverOne.fingerprint256);
    expect(h2.closed || h2.destroyed).toBe(false);
    const reused = await new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
      const req = https.request(`${t.app.url}${restPath("reload-h1-after")}`, { method: "POST", headers: { "content-type": "application/json" }, agent }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode!, reused: req.reusedSocket }));
      });
      req.on("error", reject);
      req.end(body());
    });
    expect(reused).toEqual({ status: 201, reused: true });
    h2.close();
    agent.destroy();
    expect(await restHttps(t.app.url, "reload-new")).toMatchObject({ status: 201 });
    expect(logs.lines().some((l) => l.msg === "TLS certificates reloaded" && (l.tls as { subject: string }).subject === "CN=server-two")).toBe(true);
  });

  it("keeps the certificate in use when the new files are wrong, and logs why", async () => {
    fs.copyFileSync(serverOne.cert, live.cert); // with server-two's key: a pair that does not match
    expect(await t.app.reload()).toBe(false);
    const still = await handshake(t.app.url);
    expect(still.fingerprint256).toBe(serverTwo.fingerprint256);
    still.socket.destroy();
    expect(await restHttps(t.app.url, "reload-failed")).toMatchObject({ status: 201 });
    const failed = logs.lines().find((l) => l.msg === "TLS reload failed; the certificates in use stay");
    expect(failed?.level).toBe(50);
    expect((failed?.err as { message: string }).message).toMatch(/TLS_KEY_FILE \(.*key\.pem\) does not match the certificate in TLS_CERT_FILE/);
  });
});

describe("timeouts and graceful shutdown over TLS, as in cleartext", () => {
  const t = useTlsApp(() => filesOf(serverOne), { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, idleTimeoutMs: 2_500, shutdownGraceMs: 3_000 });
  const port = () => Number(new URL(t.app.url).port);
  const closedAt = (s: { once(e: "close", f: () => void): unknown }) => new Promise<number>((r) => s.once("close", () => r(Date.now())));

  it("drops a connection that never starts its handshake (HEADERS_TIMEOUT_MS)", async () => {
    const socket = net.connect(port(), "127.0.0.1");
    socket.on("error", () => {});
    const started = Date.now();
    const at = await closedAt(socket);
    expect(at - started).toBeGreaterThanOrEqual(900);
    expect(at - started).toBeLessThan(2_500);
  });

  it("drops a client that sends its headers too slowly (slowloris over TLS)", async () => {
    const { socket } = await handshake(t.app.url);
    socket.on("error", () => {});
    const closed = closedAt(socket);
    const started = Date.now();
    socket.write(`POST ${restPath("slow")} HTTP/1.1\r\nHost: x\r\n`);
    const drip = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 300);
    const at = await closed;
    clearInterval(drip);
    expect(at - started).toBeLessThan(4_000);
  });

  it("closes an idle HTTP/1.1 connection after IDLE_TIMEOUT_MS, keeps a busy h2 one, and closes it once idle", async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: CA });
    const first = await restHttps(t.app.url, "idle-h1", { agent });
    expect(first.status).toBe(201);
    const [socket] = Object.values(agent.freeSockets).flat();
    const h1Closed = closedAt(socket!);
    const h1IdleFrom = Date.now();

    const session = await h2Connect(t.app.url);
    session.on("error", () => {});
    const h2Closed = closedAt(session);
    const started = Date.now();
    while (Date.now() - started < 4_000) {
      expect(await restH2(session, "busy-h2")).toBe(201); // one request every 100 ms, the same connection
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(session.closed || session.destroyed).toBe(false);
    const h2IdleFrom = Date.now();
    const h1At = await h1Closed;
    expect(h1At - h1IdleFrom).toBeGreaterThanOrEqual(2_000);
    expect(h1At - h1IdleFrom).toBeLessThan(4_500);
    const h2At = await h2Closed;
    expect(h2At - h2IdleFrom).toBeGreaterThanOrEqual(2_000);
    expect(h2At - h2IdleFrom).toBeLessThan(5_000);
    agent.destroy();
  }, 20_000);

  it("on stop, finishes a request in flight, closes idle connections at once, and stops within the grace period", async () => {
    const idleH2 = await h2Connect(t.app.url);
    idleH2.on("error", () => {});
    const idleClosed = closedAt(idleH2);
    // a request whose body is not all sent when the stop begins
    const whole = body("finished during shutdown");
    const half = Math.floor(whole.length / 2);
    const answer = new Promise<number>((resolve, reject) => {
      const req = https.request(`${t.app.url}${restPath("in-flight")}`, { method: "POST", headers: { "content-type": "application/json", "content-length": String(whole.length) }, ca: CA, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      });
      req.on("error", reject);
      req.write(whole.slice(0, half));
      setTimeout(() => req.end(whole.slice(half)), 800);
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    t.stopped = true;
    const stopped = t.app.stop().then(() => Date.now());
    expect(await answer).toBe(201);
    expect((await idleClosed) - started).toBeLessThan(500);
    expect((await stopped) - started).toBeLessThan(3_000);
    const [row] = await db.sql`SELECT content FROM messages WHERE session_name = 'in-flight'`;
    expect(row?.content).toBe("finished during shutdown");
  });
});

describe("start-up errors", () => {
  it("refuses a certificate without a key, a key without a certificate, and a client CA alone", () => {
    expect(() => loadConfig({ TLS_CERT_FILE: serverOne.cert })).toThrow("TLS_CERT_FILE is set but TLS_KEY_FILE is not");
    expect(() => loadConfig({ TLS_KEY_FILE: serverOne.key })).toThrow("TLS_KEY_FILE is set but TLS_CERT_FILE is not");
    expect(() => loadConfig({ TLS_CLIENT_CA_FILE: ca.cert })).toThrow("TLS_CLIENT_CA_FILE is set but TLS_CERT_FILE and TLS_KEY_FILE are not");
    expect(loadConfig({}).tls).toBeUndefined();
    expect(loadConfig({ TLS_CERT_FILE: "c", TLS_KEY_FILE: "k", TLS_CLIENT_CA_FILE: "a" }).tls).toEqual({ certFile: "c", keyFile: "k", clientCaFile: "a" });
  });

  it.each([
    ["a file that cannot be read", () => ({ certFile: path.join(certs.dir, "missing.pem"), keyFile: serverOne.key }), /^TLS_CERT_FILE: cannot read .*missing\.pem \(ENOENT\)$/],
    ["a client CA that cannot be read", () => ({ ...filesOf(serverOne), clientCaFile: path.join(certs.dir, "nope.pem") }), /^TLS_CLIENT_CA_FILE: cannot read .*nope\.pem \(ENOENT\)$/],
    ["a key that is not the certificate's", () => ({ certFile: serverOne.cert, keyFile: serverTwo.key }), /^TLS_KEY_FILE \(.*server-two\.key\) does not match the certificate in TLS_CERT_FILE \(.*server-one\.pem\)/],
    ["a key file given as the certificate", () => ({ certFile: serverOne.key, keyFile: serverOne.key }), /^TLS_CERT_FILE \(.*server-one\.key\) holds no PEM certificate/],
    ["a certificate given as the key", () => ({ certFile: serverOne.cert, keyFile: serverOne.cert }), /^TLS_KEY_FILE \(.*server-one\.pem\) holds no private key/],
    ["a client CA file with no certificate", () => ({ ...filesOf(serverOne), clientCaFile: serverOne.key }), /^TLS_CLIENT_CA_FILE \(.*server-one\.key\) holds no PEM certificate/],
  ])("stops the start with a clear error for %s", async (_name, files, message) => {
    await expect(startTestApp(db.url, { tls: files() })).rejects.toThrow(message);
  });
});

describe("the service as a process", () => {
  function run(env: Record<string, string>): { child: ChildProcess; lines: () => Record<string, unknown>[]; exited: Promise<number | null> } {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, HOST: "127.0.0.1", LOG_LEVEL: "info", DATABASE_URL: db.url, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d));
    child.stderr!.on("data", (d: Buffer) => (out += d));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const lines = () => out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { child, lines, exited };
  }
  async function until(what: () => boolean, ms: number): Promise<void> {
    for (const deadline = Date.now() + ms; !what(); ) {
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("ends with the error in its log when the key does not match", async () => {
    const p = run({ PORT: String(await freePort()), WEB_CONCURRENCY: "1", TLS_CERT_FILE: serverOne.cert, TLS_KEY_FILE: serverTwo.key });
    expect(await p.exited).toBe(1);
    const fatal = p.lines().find((l) => l.msg === "failed to start");
    expect((fatal?.err as { message: string }).message).toMatch(/^TLS_KEY_FILE \(.*\) does not match the certificate in TLS_CERT_FILE/);
  });

  it("reloads its certificates on SIGHUP in every worker, and goes on serving", async () => {
    const dir = fs.mkdtempSync(path.join(certs.dir, "proc-"));
    const live = { cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") };
    fs.copyFileSync(serverOne.cert, live.cert);
    fs.copyFileSync(serverOne.key, live.key);
    const port = await freePort();
    const p = run({ PORT: String(port), WEB_CONCURRENCY: "2", TLS_CERT_FILE: live.cert, TLS_KEY_FILE: live.key });
    try {
      await until(() => p.lines().filter((l) => String(l.msg).startsWith("serving")).length === 2, 90_000);
      const url = `https://127.0.0.1:${port}`;
      expect(await restHttps(url, "proc-before")).toMatchObject({ status: 201 });
      fs.copyFileSync(serverTwo.cert, live.cert);
      fs.copyFileSync(serverTwo.key, live.key);
      p.child.kill("SIGHUP");
      await until(() => p.lines().filter((l) => l.msg === "TLS certificates reloaded").length === 2, 10_000);
      for (let i = 0; i < 4; i++) { // new connections, whichever worker takes them
        const h = await handshake(url);
        expect(h.fingerprint256).toBe(serverTwo.fingerprint256);
        h.socket.destroy();
      }
      expect(await restHttps(url, "proc-after")).toMatchObject({ status: 201 });
      expect(p.child.exitCode).toBeNull();
      expect(p.lines().some((l) => l.msg === "worker died; starting another")).toBe(false);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  }, 120_000);
});
