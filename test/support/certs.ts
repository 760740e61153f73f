// Certificates for TLS tests, made by the real openssl (Debian's) into a temp
// directory: CAs, server certificates for 127.0.0.1 and localhost, client
// certificates. Elliptic-curve keys: fast to make, and what Go (buf) and Node
// both accept.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

export interface CertFiles {
  cert: string;
  key: string;
  /** SHA-256 fingerprint as Node's getPeerCertificate() writes it */
  fingerprint256: string;
}

export interface CertMaker {
  dir: string;
  ca(name: string): CertFiles;
  /** a server certificate for 127.0.0.1 and localhost */
  server(name: string, ca: CertFiles): CertFiles;
  client(name: string, ca: CertFiles): CertFiles;
  remove(): void;
}

export function certMaker(): CertMaker {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-"));
  const cnf = path.join(dir, "openssl.cnf");
  fs.writeFileSync(cnf, CONFIG);
  const make = (name: string, extensions: string, signer?: CertFiles): CertFiles => {
    const cert = path.join(dir, `${name}.pem`);
    const key = path.join(dir, `${name}.key`);
    execFileSync("openssl", [
      "req", "-x509", "-new", "-config", cnf, "-extensions", extensions,
      "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`,
      ...(signer ? ["-CA", signer.cert, "-CAkey", signer.key] : []),
    ], { stdio: ["ignore", "ignore", "pipe"] });
    return { cert, key, fingerprint256: new X509Certificate(fs.readFileSync(cert)).fingerprint256 };
  };
  return {
    dir,
    ca: (name) => make(name, "ca"),
    server: (name, ca) => make(name, "server", ca),
    client: (name, ca) => make(name, "client", ca),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
