// GET /docs, FastAPI's interactive API page: Honcho's SDK test harness waits
// for it before each test file. Every asset comes from this service (no CDN,
// so it works offline), only listed files are served, and a real Chromium
// renders the Create Messages operation from /openapi.json without touching
// any other origin and without a Content-Security-Policy violation.
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../support/app.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `\n${"!".repeat(78)}\n!! ${CHROMIUM} is missing: SKIPPING the browser test of GET /docs.\n` +
      `!! Install it (apt-get install -y chromium) to run it; .ci/run does.\n${"!".repeat(78)}\n`,
  );
}

const ROUTE = "/v3/workspaces/{workspace_id}/sessions/{session_id}/messages";
const t = useTestApp();

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET whose path goes on the wire exactly as written (fetch would resolve "../"). */
function rawGet(base: string, rawPath: string, headers: Record<string, string> = {}): Promise<Raw> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

/** The src/href URLs a page refers to. */
const referencedUrls = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);

describe("GET /docs over HTTP", () => {
  it("is FastAPI's Swagger UI page, with nothing from another host", async () => {
    const res = await rawGet(t.app.url, "/docs");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    const html = res.body.toString("utf8");
    expect(html).toContain("<title>Honcho API - Swagger UI</title>");
    expect(html).toMatch(/<div id="swagger-ui">/);
    // get_swagger_ui_html's call, with swagger_ui_default_parameters and the redirect route
    expect(html).toContain(`url: "/openapi.json",`);
    for (const line of [`"dom_id": "#swagger-ui",`, `"layout": "BaseLayout",`, `"deepLinking": true,`, `"showExtensions": true,`, `"showCommonExtensions": true,`]) {
      expect(html).toContain(line);
    }
    expect(html).toContain(`oauth2RedirectUrl: window.location.origin + "/docs/oauth2-redirect",`);
    expect(html).toContain("SwaggerUIBundle.presets.apis");
    // no absolute URL at all, so nothing can point off-host (FastAPI's points at jsDelivr)
    expect(html).not.toMatch(/https?:\/\//i);
    const urls = referencedUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const u of urls) expect(u).toMatch(/^\/(?!\/)/); // same host, not protocol-relative
  });

  it("sets a Content-Security-Policy of 'self' plus the hash of its one inline script", async () => {
    const res = await rawGet(t.app.url, "/docs");
    const csp = String(res.headers["content-security-policy"]);
    const directives = new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
    expect(directives.get("default-src")).toEqual(["'none'"]);
    const inline = [...res.body.toString("utf8").matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline).toHaveLength(1);
    const hash = `'sha256-${createHash("sha256").update(inline[0]!).digest("base64")}'`;
    expect(directives.get("script-src")).toEqual(["'self'", hash]);
    for (const [name, sources] of directives) {
      for (const s of sources) expect(["'self'", "'none'", "data:", hash], `${name} ${s}`).toContain(s);
    }
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("serves every asset the pages refer to, typed, immutable, and gzipped when asked", async () => {
    const html = (await rawGet(t.app.url, "/docs")).body.toString("utf8");
    const redirect = await rawGet(t.app.url, "/docs/oauth2-redirect");
    expect(redirect.status).toBe(200);
    expect(redirect.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(redirect.headers["content-security-policy"]).toContain("script-src 'self';");
    const redirectHtml = redirect.body.toString("utf8");
    expect(redirectHtml).not.toMatch(/https?:\/\//i);
    expect(redirectHtml).not.toMatch(/<script>/); // no inline script: its CSP allows none

    const css = referencedUrls(html).find((u) => u.endsWith(".css"))!;
    const wanted: Record<string, RegExp> = {};
    for (const u of [...referencedUrls(html), ...referencedUrls(redirectHtml)]) {
      wanted[u] = u.endsWith(".js") ? /^text\/javascript; charset=utf-8$/ : u.endsWith(".css") ? /^text\/css; charset=utf-8$/ : /^image\/png$/;
    }
    // the stylesheet names its source map, which DevTools fetches
    const cssBody = (await rawGet(t.app.url, css)).body.toString("utf8");
    const map = /sourceMappingURL=(\S+?)\s*\*\//.exec(cssBody)![1]!;
    wanted[new URL(map, `http://x${css}`).pathname] = /^application\/json; charset=utf-8$/;
    expect(Object.keys(wanted).length).toBeGreaterThanOrEqual(5); // css, favicon, bundle, redirect script, map

    for (const [u, type] of Object.entries(wanted)) {
      const plain = await rawGet(t.app.url, u);
      expect(plain.status, u).toBe(200);
      expect(plain.headers["content-type"], u).toMatch(type);
      expect(plain.headers["cache-control"], u).toBe("public, max-age=31536000, immutable");
      expect(plain.headers["x-content-type-options"], u).toBe("nosniff");
      expect(plain.headers["content-encoding"], u).toBeUndefined();
      expect(Number(plain.headers["content-length"]), u).toBe(plain.body.length);
      expect(plain.body.length, u).toBeGreaterThan(100);
      if (type.source.includes("image")) continue;
      const packed = await rawGet(t.app.url, u, { "accept-encoding": "gzip, deflate, br" });
      expect(packed.headers["content-encoding"], u).toBe("gzip");
      expect(packed.headers.vary, u).toBe("accept-encoding");
      expect(zlib.gunzipSync(packed.body).equals(plain.body), u).toBe(true);
    }
    // the bundle is swagger-ui-dist's own file, byte for byte
    const bundle = Object.keys(wanted).find((u) => u.endsWith("/swagger-ui-bundle.js"))!;
    const onDisk = fs.readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json")), "swagger-ui-bundle.js"));
    expect((await rawGet(t.app.url, bundle)).body.equals(onDisk)).toBe(true);
  });

  it("serves nothing outside its list of files: traversal, encodings and other files are 404", async () => {
    const html = (await rawGet(t.app.url, "/docs")).body.toString("utf8");
    const dir = referencedUrls(html).find((u) => u.endsWith("/swagger-ui-bundle.js"))!.replace(/\/swagger-ui-bundle\.js$/, "");
    expect(dir).toMatch(/^\/docs\/assets\//);
    const attempts = [
      "/docs/assets/../../package.json",
      "/docs/assets/..%2f..%2fpackage.json",
      "/docs/assets/%2e%2e/%2e%2e/package.json",
      "/docs/assets/%2e%2e%2f%2e%2e%2fpackage.json",
      "/docs/assets/%252e%252e%252fpackage.json",
      "/docs/assets/..%5c..%5cpackage.json",
      "/docs/assets/..\\..\\package.json",
      `${dir}/../../../package.json`,
      `${dir}/..%2f..%2f..%2f..%2fpackage.json`,
      `${dir}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json`,
      `${dir}/%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fpackage.json`,
      `${dir}/....//....//package.json`,
      `${dir}//etc/passwd`,
      `${dir}/%2fetc%2fpasswd`,
      `${dir}/package.json`, // in the package, not on the list
      `${dir}/index.html`,
      `${dir}/swagger-initializer.js`,
      `${dir}/swagger-ui-bundle.js%00.png`,
      `${dir}/swagger-ui-bundle.js/`,
      `${dir}/SWAGGER-UI-BUNDLE.JS`,
      `${dir}/__proto__`,
      `${dir}/constructor`,
      `${dir}/hasOwnProperty`,
      `${dir}/`,
      "/docs/assets/swagger-ui-bundle.js", // unversioned
      "/docs/assets/swagger-ui-dist@0.0.0/swagger-ui-bundle.js", // another version
      "/docs/../package.json",
      "/docs/%2e%2e/package.json",
      "/docs/assets/",
    ];
    const pkg = fs.readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8");
    for (const p of attempts) {
      const res = await rawGet(t.app.url, p);
      expect(res.status, p).toBe(404);
      const body = res.body.toString("utf8");
      expect(body, p).not.toContain('"dependencies"');
      expect(body, p).not.toContain(pkg.slice(0, 40));
      expect(body, p).not.toContain("root:");
    }
  });
});

describe.skipIf(!hasChromium)("GET /docs in Chromium", () => {
  it("renders Create Messages For Session from /openapi.json and executes it, asking no other origin, with no CSP violation", async () => {
    const { chromium } = await import("playwright-core");
    const doc = (await (await fetch(`${t.app.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary: string; operationId: string }>>;
    };
    const op = doc.paths[ROUTE]!.post!;
    expect(op.summary).toBe("Create Messages For Session");

    const origin = new URL(t.app.url).origin;
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "docs-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      timeout: 30_000,
    });
    try {
      const requests: string[] = [];
      const failures: string[] = [];
      context.on("request", (r) => void requests.push(r.url()));
      context.on("requestfailed", (r) => void failures.push(`${r.url()}: ${r.failure()?.errorText}`));
      // Anything off-origin is answered here and never reaches the network,
      // but is still counted above as a request the page made.
      await context.route((u) => u.origin !== origin, (route) => route.abort("blockedbyclient"));
      // recorded from before the page's first script, whatever its CSP
      await context.addInitScript({
        content: `window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on("pageerror", (e) => void errors.push(String(e)));
      page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));

      const answer = await page.goto(`${origin}/docs`, { waitUntil: "load" });
      expect(answer?.status()).toBe(200);
      expect(await page.title()).toBe("Honcho API - Swagger UI");

      // the operation block Swagger UI builds from /openapi.json
      const block = page.locator(".opblock.opblock-post", { has: page.locator(`[data-path="${ROUTE}"]`) });
      await block.locator(".opblock-summary-description", { hasText: op.summary }).waitFor({ timeout: 30_000 });
      // interactive: it opens, offers "Try it out", and deep-links to the operation
      await block.locator(".opblock-summary-control").click();
      await block.getByRole("button", { name: "Try it out" }).waitFor({ timeout: 10_000 });
      expect(decodeURIComponent(new URL(page.url()).hash)).toContain(op.operationId);
      // and it calls the service: Try it out, fill the form, Execute, the 201
      await block.getByRole("button", { name: "Try it out" }).click();
      await block.locator('input[placeholder="workspace_id"]').fill("docs-ws");
      await block.locator('input[placeholder="session_id"]').fill("docs-s");
      await block.locator("textarea.body-param__text").fill(JSON.stringify({ messages: [{ content: "sent from /docs", peer_id: "alice" }] }));
      await block.getByRole("button", { name: "Execute" }).click();
      const live = block.locator(".live-responses-table tr.response");
      await live.locator("td.response-col_status").waitFor({ timeout: 10_000 });
      expect(await live.locator("td.response-col_status").innerText()).toBe("201");
      const shown = JSON.parse(await live.locator("td.response-col_description pre").first().innerText()) as Record<string, unknown>[];
      expect(shown).toMatchObject([{ content: "sent from /docs", peer_id: "alice", session_id: "docs-s", workspace_id: "docs-ws" }]);

      expect(requests.length).toBeGreaterThanOrEqual(5); // page, css, bundle, openapi.json, the POST
      expect(requests).toContain(`${origin}/openapi.json`);
      expect(requests).toContain(`${origin}/v3/workspaces/docs-ws/sessions/docs-s/messages`);
      expect(requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
      expect(failures).toEqual([]);
      expect(await page.evaluate<string[]>("window.__csp")).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});
