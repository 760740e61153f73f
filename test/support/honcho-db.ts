// Databases laid out exactly as Honcho's own migrations leave them (alembic
// head e4eba9cfaa6f, test/fixtures/honcho-e4eba9cfaa6f.sql), and a catalog
// snapshot of a schema, so that tests can run the service on Honcho's
// database and prove it changes nothing of Honcho's schema.
import { readFile } from "node:fs/promises";
import postgres, { type Sql } from "postgres";
import { createTestDatabase, type TestDb } from "./app.js";

export const HONCHO_HEAD = "e4eba9cfaa6f";

const FIXTURE = new URL("../fixtures/honcho-e4eba9cfaa6f.sql", import.meta.url);

/** An identifier, always quoted (so a reserved word or mixed case is taken as written). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// pg_dump writes every object as `public.<name>`. Honcho's DB_SCHEMA setting
// puts the same objects in another schema, so the fixture is moved by
// rewriting exactly those qualifiers: string literals ('…'), quoted
// identifiers ("…") and comments are matched first and kept as they are, so
// text such as 'public' in a literal, or column names like public_id, never
// change. Dollar-quoted bodies would need a real lexer; the dump has none, and
// a dump that had some is refused rather than rewritten wrongly.
const QUALIFIER = /('(?:[^']|'')*')|(--[^\n]*)|("(?:[^"]|"")*")|(?<![\w$."])public\./g;

/** The fixture's SQL, with its objects in `schema` (one multi-statement text). */
export async function honchoFixtureSql(schema = "public"): Promise<string> {
  const text = await readFile(FIXTURE, "utf8");
  if (schema === "public") return text;
  if (/\$(?:[A-Za-z_]\w*)?\$/.test(text)) throw new Error("fixture has dollar-quoted text; the schema rewrite cannot handle it");
  const target = `${quoteIdent(schema)}.`;
  return text.replace(QUALIFIER, (_match, literal, comment, ident) => literal ?? comment ?? ident ?? target);
}

/**
 * Loads the fixture into the database at `url`, in `schema` (created first
 * unless it is public). The dump empties search_path and sets other
 * session settings, so it runs on a connection of its own that is closed
 * afterwards: no pooled connection ever sees those settings.
 */
export async function loadHonchoSchema(url: string, schema = "public"): Promise<void> {
  const text = await honchoFixtureSql(schema);
  const conn = postgres(url, { max: 1, onnotice: () => {} });
  try {
    if (schema !== "public") await conn.unsafe(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await conn.unsafe(text); // no parameters: one simple query, one implicit transaction
  } finally {
    await conn.end({ timeout: 1 });
  }
}

/** A fresh database of the test server with Honcho's schema at head in `schema`. */
export async function createHonchoDatabase(schema = "public"): Promise<TestDb> {
  const db = await createTestDatabase();
  try {
    await loadHonchoSchema(db.url, schema);
  } catch (err) {
    await db.drop();
    throw err;
  }
  return db;
}

export interface SnapshotOptions {
  /** only these tables, with their columns, constraints, indexes, triggers, owned sequences and comments */
  tables?: string[];
}

/**
 * A deterministic text description of everything in `schema`, read from the
 * catalogs (not pg_dump). Names inside the schema are written unqualified
 * (search_path is the schema while it runs), so the same objects in two
 * schemas give the same text. Reads only, in a read-only transaction.
 */
export async function catalogSnapshot(sql: Sql, schema: string, opts: SnapshotOptions = {}): Promise<string> {
  const only = opts.tables ? [...opts.tables] : null;
  return sql.begin("read only", async (tx) => {
    const [ns] = await tx`SELECT oid, quote_ident(nspname) AS quoted FROM pg_namespace WHERE nspname = ${schema}`;
    if (!ns) return "schema missing\n";
    await tx`SELECT set_config('search_path', ${ns.quoted}, true)`;
    const nsp = ns.oid as number;
    // pg_get_indexdef, pg_get_triggerdef and pg_get_ruledef qualify their
    // table whatever the search_path; that one qualifier is taken off.
    const unqualify = (def: string, keyword: "ON" | "TO") => {
      const q = `${ns.quoted}.`;
      const onlyForm = ` ${keyword} ONLY ${q}`;
      return def.includes(onlyForm) ? def.replace(onlyForm, ` ${keyword} ONLY `) : def.replace(` ${keyword} ${q}`, ` ${keyword} `);
    };
    const pick = (rel: string) => (only ? tx`AND ${tx.unsafe(rel)} = ANY(${only}::text[])` : tx``);
    const out: string[] = [];
    const line = (...parts: (string | null | undefined | false)[]) => out.push(parts.filter((p) => p !== null && p !== undefined && p !== false && p !== "").join(" "));
    const str = (v: unknown) => JSON.stringify(v);

    if (!only) {
      const exts = await tx`
        SELECT e.extname, e.extversion FROM pg_extension e
        WHERE e.extnamespace = ${nsp} ORDER BY e.extname COLLATE "C"`;
      for (const e of exts) line("extension", e.extname, e.extversion);
    }

    const tables = await tx`
      SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
             c.reloptions::text AS reloptions, c.relacl::text AS relacl,
             obj_description(c.oid, 'pg_class') AS comment,
             pg_get_partkeydef(c.oid) AS partkey,
             CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partbound,
             (SELECT string_agg(p.relname, ',' ORDER BY i.inhseqno) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
               WHERE i.inhrelid = c.oid) AS parents
      FROM pg_class c
      WHERE c.relnamespace = ${nsp} AND c.relkind IN ('r', 'p', 'f') ${pick("c.relname")}
      ORDER BY c.relname COLLATE "C"`;
    const columns = await tx`
      SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
             pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity, a.attgenerated,
             CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
             CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END AS storage,
             NULLIF(a.attcompression, '') AS compression,
             col_description(c.oid, a.attnum) AS comment
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      LEFT JOIN pg_collation co ON co.oid = a.attcollation
      WHERE c.relnamespace = ${nsp} AND c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped ${pick("c.relname")}
      ORDER BY c.relname COLLATE "C", a.attnum`;
    for (const t of tables) {
      line("table", t.relname, t.relkind !== "r" && `kind=${t.relkind}`, t.relpersistence !== "p" && `persistence=${t.relpersistence}`,
        t.reloptions && `with=${t.reloptions}`, t.partkey && `partition by ${t.partkey}`, t.parents && `inherits ${t.parents}`,
        t.partbound && `partition ${t.partbound}`, t.relrowsecurity && "row-security", t.relforcerowsecurity && "force-row-security");
      if (t.comment !== null) line("  comment", str(t.comment));
      if (t.relacl !== null) line("  acl", t.relacl);
      for (const c of columns) {
        if (c.relname !== t.relname) continue;
        line("  column", c.attname, c.type, c.attnotnull && "not null", c.def !== null && `default ${c.def}`,
          c.attidentity === "a" && "generated always as identity", c.attidentity === "d" && "generated by default as identity",
          c.attgenerated === "s" && "(stored generated)", c.collation && `collate ${c.collation}`,
          c.storage && `storage=${c.storage}`, c.compression && `compression=${c.compression}`);
        if (c.comment !== null) line("    comment", str(c.comment));
      }
    }

    const constraints = await tx`
      SELECT coalesce(r.relname, ty.typname) AS owner, con.conname, pg_get_constraintdef(con.oid) AS def,
             obj_description(con.oid, 'pg_constraint') AS comment
      FROM pg_constraint con
      LEFT JOIN pg_class r ON r.oid = con.conrelid
      LEFT JOIN pg_type ty ON ty.oid = con.contypid
      WHERE con.connamespace = ${nsp} ${only ? tx`AND r.relname = ANY(${only}::text[])` : tx``}
      ORDER BY coalesce(r.relname, ty.typname) COLLATE "C", con.conname COLLATE "C"`;
    for (const c of constraints) {
      line("constraint", `${c.owner}.${c.conname}`, c.def);
      if (c.comment !== null) line("  comment", str(c.comment));
    }

    const indexes = await tx`
      SELECT t.relname AS tbl, i.relname, pg_get_indexdef(i.oid) AS def, x.indisclustered, x.indisreplident, x.indisvalid,
             obj_description(i.oid, 'pg_class') AS comment
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = ${nsp} ${pick("t.relname")}
      ORDER BY t.relname COLLATE "C", i.relname COLLATE "C"`;
    for (const i of indexes) {
      line("index", `${i.tbl}.${i.relname}`, unqualify(i.def, "ON"), i.indisclustered && "(clustered)", i.indisreplident && "(replica identity)", !i.indisvalid && "(invalid)");
      if (i.comment !== null) line("  comment", str(i.comment));
    }

    const sequences = await tx`
      SELECT c.relname, format_type(s.seqtypid, NULL) AS type, s.seqstart::text, s.seqincrement::text, s.seqmin::text,
             s.seqmax::text, s.seqcache::text, s.seqcycle, c.relpersistence, c.relacl::text AS relacl, own.tbl, own.col, own.deptype
      FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
      LEFT JOIN LATERAL (
        SELECT dt.relname AS tbl, a.attname AS col, d.deptype FROM pg_depend d
        JOIN pg_class dt ON dt.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
      ) own ON true
      WHERE c.relnamespace = ${nsp} ${pick("own.tbl")}
      ORDER BY c.relname COLLATE "C"`;
    for (const s of sequences) {
      line("sequence", s.relname, s.type, `start ${s.seqstart}`, `increment ${s.seqincrement}`, `min ${s.seqmin}`, `max ${s.seqmax}`,
        `cache ${s.seqcache}`, s.seqcycle ? "cycle" : "no cycle", s.relpersistence !== "p" && `persistence=${s.relpersistence}`,
        s.tbl && `owned by ${s.tbl}.${s.col}${s.deptype === "i" ? " (identity)" : ""}`);
      if (s.relacl !== null) line("  acl", s.relacl);
    }

    const triggers = await tx`
      SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) AS def, t.tgenabled
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND c.relnamespace = ${nsp} ${pick("c.relname")}
      ORDER BY c.relname COLLATE "C", t.tgname COLLATE "C"`;
    for (const t of triggers) line("trigger", `${t.relname}.${t.tgname}`, unqualify(t.def, "ON"), t.tgenabled !== "O" && `enabled=${t.tgenabled}`);

    const policies = await tx`
      SELECT c.relname, p.polname, p.polcmd, p.polpermissive, p.polroles::text AS roles,
             pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS withcheck
      FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
      WHERE c.relnamespace = ${nsp} ${pick("c.relname")}
      ORDER BY c.relname COLLATE "C", p.polname COLLATE "C"`;
    for (const p of policies) line("policy", `${p.relname}.${p.polname}`, `cmd=${p.polcmd}`, p.polpermissive ? "permissive" : "restrictive", `roles=${p.roles}`, p.qual && `using ${p.qual}`, p.withcheck && `check ${p.withcheck}`);

    const rules = await tx`
      SELECT c.relname, r.rulename, pg_get_ruledef(r.oid) AS def
      FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
      WHERE r.rulename <> '_RETURN' AND c.relnamespace = ${nsp} ${pick("c.relname")}
      ORDER BY c.relname COLLATE "C", r.rulename COLLATE "C"`;
    for (const r of rules) line("rule", `${r.relname}.${r.rulename}`, unqualify(r.def, "TO"));

    if (!only) {
      const views = await tx`
        SELECT c.relname, c.relkind, pg_get_viewdef(c.oid) AS def, obj_description(c.oid, 'pg_class') AS comment
        FROM pg_class c WHERE c.relnamespace = ${nsp} AND c.relkind IN ('v', 'm')
        ORDER BY c.relname COLLATE "C"`;
      for (const v of views) {
        line(v.relkind === "m" ? "materialized view" : "view", v.relname, str(v.def));
        if (v.comment !== null) line("  comment", str(v.comment));
      }

      const functions = await tx`
        SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.prokind,
               CASE WHEN p.prokind <> 'a' THEN md5(pg_get_functiondef(p.oid)) END AS md5,
               (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                 WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') AS ext
        FROM pg_proc p WHERE p.pronamespace = ${nsp}
        ORDER BY p.proname COLLATE "C", pg_get_function_identity_arguments(p.oid) COLLATE "C"`;
      const kinds: Record<string, string> = { f: "function", p: "procedure", a: "aggregate", w: "window function" };
      for (const f of functions) line(kinds[f.prokind] ?? f.prokind, `${f.proname}(${f.args})`, f.md5 && `md5=${f.md5}`, f.ext && `extension=${f.ext}`);

      // Types of their own: not a table's row type, not an automatic array type.
      const types = await tx`
        SELECT t.typname, t.typtype, format_type(t.typbasetype, t.typtypmod) AS base, t.typnotnull, t.typdefault,
               (SELECT string_agg(quote_literal(e.enumlabel), ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
               (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                  FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attrs,
               (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) AS subtype,
               obj_description(t.oid, 'pg_type') AS comment
        FROM pg_type t
        WHERE t.typnamespace = ${nsp}
          AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
          AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.oid = t.typelem AND el.typarray = t.oid)
        ORDER BY t.typname COLLATE "C"`;
      const typeKinds: Record<string, string> = { b: "base", c: "composite", d: "domain", e: "enum", m: "multirange", p: "pseudo", r: "range" };
      for (const t of types) {
        line("type", t.typname, typeKinds[t.typtype] ?? t.typtype, t.typtype === "d" && `over ${t.base}`, t.typnotnull && "not null",
          t.typdefault !== null && `default ${t.typdefault}`, t.labels && `(${t.labels})`, t.attrs && `(${t.attrs})`, t.subtype && `of ${t.subtype}`);
        if (t.comment !== null) line("  comment", str(t.comment));
      }
    }

    if (!only || only.includes("alembic_version")) {
      const [exists] = await tx`SELECT 1 FROM pg_class WHERE relnamespace = ${nsp} AND relname = 'alembic_version' AND relkind = 'r'`;
      if (exists) {
        const rows = await tx.unsafe(`SELECT version_num::text AS v FROM ${ns.quoted}.alembic_version ORDER BY version_num COLLATE "C"`);
        for (const r of rows) line("alembic_version", str(r.v));
      }
    }
    return out.join("\n") + "\n";
  });
}
