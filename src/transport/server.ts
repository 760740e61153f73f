// One port for everything: HTTP/1.1 (REST, Connect, gRPC-Web) and cleartext
// HTTP/2 with prior knowledge (gRPC, and all of the above). The first bytes of
// a connection tell which: HTTP/2 starts with its fixed client preface.
// With TLS (tls.ts) the same port is TLS only and ALPN tells which (h2 or
// http/1.1; a client that offers neither speaks HTTP/1.1); the same two
// servers, handler, limits and shutdown serve either way.
import { randomBytes } from "node:crypto";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import type { NodeRequest, NodeResponse } from "./http-io.js";
import type { TlsCredentials } from "./tls.js";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
// HTTP/2 receive windows. With the protocol's default of 64 KiB for the
// connection and each stream, a gRPC client could send two 100 × 250 batches
// (27 KB each) before waiting for a WINDOW_UPDATE, which this busy event loop
// sends late; a 100 × 2 500 batch took 13.6 such frames. With these, one or
// two per request at most. A client's unread bodies on a connection stay
// bounded by the connection window, below the body limit that each request
// may reach anyway (BODY_LIMIT_BYTES, 16 MiB by default).
const H2_STREAM_WINDOW = 1 << 20;
const H2_CONNECTION_WINDOW = 8 << 20;

export interface ServerLimits {
  /** ms to receive a request's headers (HTTP/1.1) */
  headersTimeoutMs: number;
  /** ms for a whole request */
  requestTimeoutMs: number;
  /** ms a connection may sit idle */
  idleTimeoutMs: number;
}

export interface ServerTls {
  credentials: TlsCredentials;
  /** a handshake that failed (no or a wrong client certificate, not TLS at all, too slow): for the log */
  onHandshakeError?: (err: Error) => void;
}

export interface DualServer {
  listen(port: number, host: string): Promise<net.AddressInfo>;
  /** Stops accepting, waits up to `graceMs` for in-flight requests, then closes what is left. */
  close(graceMs: number): Promise<void>;
  /** TLS only: new connections get these certificates; open ones keep theirs. */
  setCredentials(credentials: TlsCredentials): void;
}

export function createDualServer(handler: (req: NodeRequest, res: NodeResponse) => void, limits: ServerLimits, secure?: ServerTls): DualServer {
  const h1 = http.createServer(
    // timeouts are enforced by a periodic check; once a second keeps them close to their values
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // idle keep-alive connections live as long as any idle connection (Node's
      // default, 5 s, would close them under clients that reuse them later);
      // headersTimeout only runs once a request has begun, so it does not cut them
      keepAliveTimeout: limits.idleTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    handler,
  );
  // The idle timer each connection gets where it is accepted (below) bounds
  // one that sends nothing. Once a request has arrived, Node's own timers
  // govern, as they already did for every later request on the connection:
  // headersTimeout and requestTimeout while it arrives, keepAliveTimeout after
  // each answer (Node re-arms the socket's timer there and clears it when the
  // next request comes). Left running, it cut a connection's first request
  // whose answer took longer than the idle time (a write waiting on a lock)
  // with no answer at all.
  h1.on("request", (req: http.IncomingMessage) => req.socket.setTimeout(0));
  const h2 = http2.createServer({ settings: { initialWindowSize: H2_STREAM_WINDOW } }, handler);
  h2.setTimeout(limits.idleTimeoutMs, function (this: unknown, ...args: unknown[]) {
    (args[0] as http2.Http2Session | undefined)?.close?.();
  });
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  h2.on("session", (s) => {
    sessions.add(s);
    s.setLocalWindowSize(H2_CONNECTION_WINDOW); // the stream windows come with the settings above
    s.once("close", () => sessions.delete(s));
  });

  // no Nagle delay: an RPC answer is written in pieces (HTTP/2 headers, data,
  // trailers) and each waits for none (node's HTTP/1.1 server does the same)
  const tcp = secure ? tlsListener(secure, h1, h2, limits) : net.createServer({ noDelay: true }, (socket) => {
    socket.setTimeout(limits.idleTimeoutMs, () => socket.destroy());
    socket.once("data", (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const isH2 = first.length >= 3 && PREFACE.subarray(0, Math.min(first.length, PREFACE.length)).equals(first.subarray(0, Math.min(first.length, PREFACE.length)));
      if (isH2) {
        // HTTP/2 reads the socket natively, so its traffic never refreshes
        // this socket's timer, which would then close busy connections
        // every idleTimeoutMs: the session's own idle timeout (h2.setTimeout
        // above) takes over. It takes the unshifted bytes from its buffer.
        socket.setTimeout(0);
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    });
    socket.on("error", () => socket.destroy());
  });
  // every TCP connection, TLS or not, handshake done or not: destroying one
  // (at the end of the grace period) also ends the TLS socket over it
  tcp.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, host, () => {
          // h1 never listens itself; this starts its connection tracking, which
          // enforces headersTimeout/requestTimeout and lets idle keep-alive
          // connections be closed on shutdown.
          h1.emit("listening");
          resolve(tcp.address() as net.AddressInfo);
        });
      });
    },
    async close(graceMs) {
      const closed = new Promise<void>((r) => tcp.close(() => r()));
      for (const s of sessions) s.close(); // GOAWAY: finish open streams, accept no new ones
      h1.close(() => {}); // closes idle keep-alive connections; the listener is ours (tcp)
      const deadline = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, graceMs);
      const idle = setInterval(() => h1.closeIdleConnections(), 50);
      await closed;
      clearTimeout(deadline);
      clearInterval(idle);
    },
    setCredentials(credentials) {
      if (!(tcp instanceof tls.Server)) throw new Error("TLS is off: no certificates to set");
      // new session ticket keys too (Node makes new ones anyway when given
      // none; said here so it stays so): a client resuming a session of the
      // old certificates would skip the new ones, and a new client CA
      tcp.setSecureContext({ ...credentials, ticketKeys: randomBytes(48) });
    },
  };
}

function tlsListener(secure: ServerTls, h1: http.Server, h2: http2.Http2Server, limits: ServerLimits): tls.Server {
  const server = tls.createServer(
    {
      ...secure.credentials,
      ALPNProtocols: ["h2", "http/1.1"],
      // with a client CA: a client without a certificate fails the handshake
      // (alert "certificate required"), one the CA did not issue is closed
      // by Node as the handshake ends; neither gets a request read
      requestCert: secure.credentials.ca !== undefined,
      rejectUnauthorized: true,
      // the handshake is the part before a request's headers, bounded alike
      // (the idle timeout bounds a cleartext connection that sends nothing)
      handshakeTimeout: Math.min(...[limits.headersTimeoutMs, limits.idleTimeoutMs].filter((ms) => ms > 0), 120_000),
      noDelay: true,
    },
    (socket: tls.TLSSocket) => {
      socket.on("error", () => socket.destroy());
      if (socket.alpnProtocol === "h2") {
        // the session's idle timeout applies (h2.setTimeout), as in cleartext
        h2.emit("connection", socket);
      } else {
        // TLS reads the TCP socket natively: the TLS socket is the one whose
        // timer HTTP/1.1 traffic refreshes
        socket.setTimeout(limits.idleTimeoutMs, () => socket.destroy());
        h1.emit("connection", socket);
      }
    },
  );
  // Node leaves a socket whose handshake failed (or timed out) open when
  // anyone listens for the error
  server.on("tlsClientError", (err, socket) => {
    secure.onHandshakeError?.(err);
    socket.destroy();
  });
  return server;
}
