// TLS for the one port (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE): the
// files read and checked here, so that a wrong one stops the start (or a
// reload) with an error naming the setting and the file instead of OpenSSL's
// words, and their reload on SIGHUP: a reload that fails keeps the
// certificates in use. The handshake itself (ALPN, client certificates) is
// server.ts's.
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import fs from "node:fs/promises";
import tls from "node:tls";
import type { Logger } from "pino";

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** set: clients must present a certificate this CA (or these CAs) issued */
  clientCaFile?: string;
}

/** What the TLS server is given (PEM, as read): `ca` only when client certificates are required. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

/** For the log: which certificate is served, until when, and whose client certificates are accepted. */
export interface TlsSummary {
  subject: string;
  subjectAltName?: string;
  issuer: string;
  validTo: string;
  fingerprint256: string;
  clientCas?: string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export async function loadTls(files: TlsFiles): Promise<{ credentials: TlsCredentials; summary: TlsSummary; expired: boolean }> {
  const cert = await readSetting("TLS_CERT_FILE", files.certFile);
  const key = await readSetting("TLS_KEY_FILE", files.keyFile);
  const ca = files.clientCaFile === undefined ? undefined : await readSetting("TLS_CLIENT_CA_FILE", files.clientCaFile);

  const [leaf] = certificatesIn("TLS_CERT_FILE", files.certFile, cert); // the served one comes first; the rest is its chain
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new Error(`TLS_KEY_FILE (${files.keyFile}) holds no private key Node can read (${(err as Error).message}); it must be PEM and not encrypted`);
  }
  if (!leaf!.checkPrivateKey(privateKey)) {
    throw new Error(`TLS_KEY_FILE (${files.keyFile}) does not match the certificate in TLS_CERT_FILE (${files.certFile}): it is the key of another certificate`);
  }
  const cas = ca === undefined ? undefined : certificatesIn("TLS_CLIENT_CA_FILE", files.clientCaFile!, ca);
  const credentials: TlsCredentials = ca === undefined ? { cert, key } : { cert, key, ca };
  try {
    tls.createSecureContext(credentials); // what the server will do with them: anything else OpenSSL refuses shows here
  } catch (err) {
    throw new Error(`TLS_CERT_FILE, TLS_KEY_FILE or TLS_CLIENT_CA_FILE refused by OpenSSL: ${(err as Error).message}`);
  }
  const summary: TlsSummary = {
    subject: oneLine(leaf!.subject),
    ...(leaf!.subjectAltName ? { subjectAltName: leaf!.subjectAltName } : {}),
    issuer: oneLine(leaf!.issuer),
    validTo: leaf!.validTo,
    fingerprint256: leaf!.fingerprint256,
    ...(cas ? { clientCas: cas.map((c) => oneLine(c.subject)) } : {}),
  };
  return { credentials, summary, expired: new Date(leaf!.validTo).getTime() < Date.now() };
}

/** loadTls at start: an expired certificate is served (clients decide), with a warning. */
export async function openTls(files: TlsFiles, log: Logger): Promise<{ credentials: TlsCredentials; summary: TlsSummary }> {
  const loaded = await loadTls(files);
  if (loaded.expired) log.warn({ tls: loaded.summary }, "the TLS certificate has expired");
  return loaded;
}

/**
 * The app's reload (SIGHUP): reads the files again and gives the server the
 * new certificates. Connections already open keep theirs; a new connection
 * gets the new ones. A failure is logged and the old certificates stay.
 * Reloads run one at a time. Resolves to whether the new files are in use.
 */
export function tlsReloader(files: TlsFiles | undefined, server: { setCredentials(c: TlsCredentials): void }, log: Logger): () => Promise<boolean> {
  let last = Promise.resolve(true);
  const reload = async (): Promise<boolean> => {
    if (!files) {
      log.info("reload: nothing to reload (TLS is off)");
      return true;
    }
    try {
      const { credentials, summary, expired } = await loadTls(files);
      server.setCredentials(credentials);
      (expired ? log.warn.bind(log) : log.info.bind(log))({ tls: summary }, expired ? "TLS certificates reloaded, but the certificate has expired" : "TLS certificates reloaded");
      return true;
    } catch (err) {
      log.error({ err }, "TLS reload failed; the certificates in use stay");
      return false;
    }
  };
  return () => (last = last.then(reload, reload));
}

async function readSetting(setting: string, file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new Error(`${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function certificatesIn(setting: string, file: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString("latin1").match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new Error(`${setting} (${file}) holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new Error(`${setting} (${file}): certificate ${i + 1} does not parse (${(err as Error).message})`);
    }
  });
}

function oneLine(dn: string): string {
  return dn.split("\n").filter(Boolean).join(", ");
}
