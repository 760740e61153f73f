// GET /docs: the interactive API page (Swagger UI) over /openapi.json, as
// FastAPI's get_swagger_ui_html writes it (same title, parameters and OAuth2
// redirect route), but with every asset served from here out of the
// swagger-ui-dist package, so the page works offline and under a
// Content-Security-Policy of 'self'. Honcho's SDK test harness waits for
// /docs to answer 2xx before each test file.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { ServerResponse } from "node:http";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { NodeResponse } from "./http-io.js";

export interface DocsPage {
  /** Answers GET /docs, /docs/oauth2-redirect and the assets; false for any other path. */
  http(path: string, res: NodeResponse): boolean;
  /** The pages' own paths (FastAPI's routes: a trailing slash on them is redirected, rest-gateway.ts). */
  paths: readonly string[];
}

const DOCS = "/docs";
const OAUTH2_REDIRECT = "/docs/oauth2-redirect"; // FastAPI's swagger_ui_oauth2_redirect_url

// The only files served, by name. A fixed list, looked up by exact path, is
// what keeps "../" and its encodings from reaching the disk.
const TYPES: Record<string, string> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui.css.map": "application/json; charset=utf-8", // the CSS names it; DevTools asks for it
  "oauth2-redirect.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

// FastAPI's swagger_ui_default_parameters, in its order.
const PARAMETERS = { dom_id: "#swagger-ui", layout: "BaseLayout", deepLinking: true, showExtensions: true, showCommonExtensions: true };

// An npm version is never republished, so a versioned asset URL never changes
// content: browsers may keep it for a year without asking again.
const IMMUTABLE = "public, max-age=31536000, immutable";
// The pages embed the asset version; revalidate so an upgrade shows at once.
const PAGE_CACHE = "no-cache";

const gzip = promisify(zlib.gzip);

interface Asset {
  type: string;
  raw: Buffer;
  gzip?: Buffer; // only kept when it is smaller
}

export function createDocsPage(opts: { title: string; openapiUrl: string }): DocsPage {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve("swagger-ui-dist/package.json");
  const dir = path.dirname(pkgJson);
  const version = (JSON.parse(fs.readFileSync(pkgJson, "utf8")) as { version: string }).version;
  const base = `${DOCS}/assets/swagger-ui-dist@${version}`;
  const url = (file: keyof typeof TYPES) => `${base}/${file}`;

  const initScript = [
    "",
    "const ui = SwaggerUIBundle({",
    `    url: ${js(opts.openapiUrl)},`,
    ...Object.entries(PARAMETERS).map(([k, v]) => `${js(k)}: ${js(v)},`),
    `oauth2RedirectUrl: window.location.origin + ${js(OAUTH2_REDIRECT)},`,
    "    presets: [",
    "        SwaggerUIBundle.presets.apis,",
    "        SwaggerUIBundle.SwaggerUIStandalonePreset",
    "        ],",
    "    })",
    "",
  ].join("\n");
  const html = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link type="text/css" rel="stylesheet" href="${url("swagger-ui.css")}">
<link rel="shortcut icon" href="${url("favicon-32x32.png")}">
<title>${escapeHtml(`${opts.title} - Swagger UI`)}</title>
</head>
<body>
<div id="swagger-ui">
</div>
<script src="${url("swagger-ui-bundle.js")}"></script>
<!-- \`SwaggerUIBundle\` is now available on the page -->
<script>${initScript}</script>
</body>
</html>
`;
  // The same redirect logic FastAPI inlines (copied from swagger-ui), taken
  // from swagger-ui-dist as a file so the page needs no inline script.
  const redirectHtml = `<!doctype html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Swagger UI: OAuth2 Redirect</title>
</head>
<body>
<script src="${url("oauth2-redirect.js")}"></script>
</body>
</html>
`;
  // Only 'self', plus the one inline script by its hash. Swagger UI's CSS
  // draws its icons with data: URLs; its styles are set through the DOM,
  // which style-src does not govern.
  const csp = (scriptHash?: string) =>
    [
      "default-src 'none'",
      `script-src 'self'${scriptHash ? ` '${scriptHash}'` : ""}`,
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'self'",
    ].join("; ");
  const pageHeaders = (body: Buffer, policy: string) => ({
    "content-type": "text/html; charset=utf-8",
    "content-length": String(body.length),
    "cache-control": PAGE_CACHE,
    "content-security-policy": policy,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
  });
  const docs = Buffer.from(html);
  const docsHeaders = pageHeaders(docs, csp(`sha256-${createHash("sha256").update(initScript).digest("base64")}`));
  const redirect = Buffer.from(redirectHtml);
  const redirectHeaders = pageHeaders(redirect, csp());

  // Read (and compressed) on first use: most processes never serve the page.
  const assets = new Map<string, Promise<Asset>>();
  const assetOf = (file: string): Promise<Asset> => {
    let a = assets.get(file);
    if (!a) {
      a = load(path.join(dir, file), TYPES[file]!);
      assets.set(file, a);
      a.catch(() => assets.delete(file)); // let a later request try the disk again
    }
    return a;
  };

  return {
    paths: [DOCS, OAUTH2_REDIRECT],
    http(p, res) {
      if (p === DOCS || p === OAUTH2_REDIRECT) {
        if (p === DOCS) send(res, docsHeaders, docs);
        else send(res, redirectHeaders, redirect);
        return true;
      }
      if (!p.startsWith(`${base}/`)) return false;
      const file = p.slice(base.length + 1);
      if (!Object.hasOwn(TYPES, file)) return false;
      const wantsGzip = /\bgzip\b/.test(String(res.req?.headers["accept-encoding"] ?? ""));
      assetOf(file).then(
        (a) => {
          const body = wantsGzip && a.gzip ? a.gzip : a.raw;
          send(res, {
            "content-type": a.type,
            "content-length": String(body.length),
            "cache-control": IMMUTABLE,
            "x-content-type-options": "nosniff",
            vary: "accept-encoding",
            ...(body === a.gzip ? { "content-encoding": "gzip" } : {}),
          }, body);
        },
        () => send(res, { "content-type": "application/json" }, Buffer.from(JSON.stringify({ detail: "Internal Server Error" })), 500),
      );
      return true;
    },
  };
}

async function load(file: string, type: string): Promise<Asset> {
  const raw = await fs.promises.readFile(file);
  if (type === "image/png") return { type, raw };
  const packed = await gzip(raw, { level: 9 });
  return { type, raw, ...(packed.length < raw.length ? { gzip: packed } : {}) };
}

function send(res: NodeResponse, headers: Record<string, string>, body: Buffer, status = 200): void {
  if (res.headersSent) return;
  (res as ServerResponse).writeHead(status, headers);
  res.end(body);
}

// JSON is a JavaScript literal; "<" escaped so no value can close the script.
const js = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
