// Reads a form body as Starlette's request.form() does for a FastAPI route
// with File/Form parameters (starlette/requests.py _get_form,
// starlette/formparsers.py): multipart/form-data through the multipart
// parser, application/x-www-form-urlencoded as fields, any other content
// type as an empty form (its body is not read). Starlette's limits and
// messages (FastAPI answers them 400): 1000 files, 1000 fields, 1 MiB per
// non-file part, a part without a name. Streaming: a file part named in
// `fileFields` keeps its bytes up to `maxFileBytes` and only counts the rest
// (the handler then refuses it with the size it was); other file parts are
// only counted. The whole body stops being read past `bodyLimitBytes` (413).
import { getOption, ScalarType, type DescMethod } from "@bufbuild/protobuf";
import { operation } from "../../gen/honcho/v3/options_pb.js";
import { DomainError } from "../domain/errors.js";
import { FormBody, isFormFile, type FormFile, type FormValue } from "../domain/validation/form-body.js";
import type { NodeRequest } from "./http-io.js";
import { MultipartError, MultipartParser, parseOptionsHeader } from "./multipart.js";

export interface FormLimits {
  bodyLimitBytes: number;
  /** names of the file parts whose bytes the route reads */
  fileFields: ReadonlySet<string>;
  maxFileBytes: number;
}

const MAX_FILES = 1000;
const MAX_FIELDS = 1000;
const MAX_PART_SIZE = 1024 * 1024;

// Starlette's MultiPartException: FastAPI answers 400 with its message
const refused = (message: string) => new DomainError("bad_request", message);
// anything else the parser raises: FastAPI's 400 for a body it could not read
const unreadable = () => new DomainError("bad_request", "There was an error parsing the body");

export function readForm(req: NodeRequest, contentType: string | null, limits: FormLimits): Promise<FormBody> {
  const [type, params] = parseOptionsHeader(contentType);
  if (type === "multipart/form-data") {
    const boundary = params.get("boundary");
    if (boundary === undefined) return drained(req, refused("Missing boundary in multipart."));
    return readBody(req, limits.bodyLimitBytes, multipartSink(Buffer.from(boundary, "latin1"), params.get("charset") ?? "utf-8", limits));
  }
  if (type === "application/x-www-form-urlencoded") return readBody(req, limits.bodyLimitBytes, urlencodedSink());
  req.resume(); // request.form() reads no body it cannot parse
  return Promise.resolve(new FormBody([]));
}

interface Sink {
  write(chunk: Buffer): void;
  end(): FormBody;
}

function drained(req: NodeRequest, err: Error): Promise<never> {
  req.resume();
  return Promise.reject(err);
}

// The body through a sink, bounded; a failure stops the parsing and drains the rest.
function readBody(req: NodeRequest, limit: number, sink: Sink): Promise<FormBody> {
  const tooLarge = () => new DomainError("payload_too_large", `Request body exceeds the limit of ${limit} bytes`);
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return drained(req, tooLarge());
  return new Promise((resolve, reject) => {
    let size = 0;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      req.off("data", onData);
      req.resume();
      reject(err instanceof DomainError ? err : unreadable());
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge());
      try {
        sink.write(chunk);
      } catch (err) {
        fail(err);
      }
    };
    req.on("data", onData);
    req.once("end", () => {
      if (failed) return;
      try {
        resolve(sink.end());
      } catch (err) {
        fail(err);
      }
    });
    const gone = () => fail(new DomainError("cancelled", "The client closed the request before its body was read"));
    req.once("error", gone);
    req.once("aborted", gone);
  });
}

interface Part {
  disposition: Buffer | null;
  headers: [string, Buffer][];
  name: string;
  file: FormFile | null;
  /** the file's bytes are kept */
  keep: boolean;
  chunks: Buffer[];
  length: number;
}

// Starlette's MultiPartParser callbacks over the multipart parser.
function multipartSink(boundary: Buffer, charset: string, limits: FormLimits): Sink {
  const entries: [string, FormValue][] = [];
  let files = 0;
  let fields = 0;
  let part: Part | undefined;
  let ended = false;
  const parser = new MultipartParser(boundary, {
    partBegin() {
      part = { disposition: null, headers: [], name: "", file: null, keep: false, chunks: [], length: 0 };
    },
    header(name, value) {
      const field = asciiLower(name.toString("latin1"));
      if (field === "content-disposition") part!.disposition = value;
      part!.headers.push([field, value]);
    },
    headersDone() {
      const p = part!;
      const [, options] = parseOptionsHeader(p.disposition?.toString("latin1"));
      const name = options.get("name");
      if (name === undefined) throw refused('The Content-Disposition header field "name" must be provided.');
      p.name = safeDecode(Buffer.from(name, "latin1"), charset);
      const filename = options.get("filename");
      if (filename !== undefined) {
        if (++files > MAX_FILES) throw refused(`Too many files. Maximum number of files is ${MAX_FILES}.`);
        // Starlette's UploadFile.content_type: the part's first Content-Type header, as sent
        const type = p.headers.find(([f]) => f === "content-type");
        p.file = { filename: safeDecode(Buffer.from(filename, "latin1"), charset), contentType: type ? type[1].toString("latin1") : null, size: 0, bytes: undefined };
        p.keep = limits.fileFields.has(p.name);
        // only the last part of a name is read: earlier files of that name let go of their bytes
        if (p.keep) for (const [n, v] of entries) if (n === p.name && isFormFile(v)) v.bytes = undefined;
      } else if (++fields > MAX_FIELDS) throw refused(`Too many fields. Maximum number of fields is ${MAX_FIELDS}.`);
    },
    data(bytes) {
      const p = part!;
      if (p.file) {
        p.file.size += bytes.length;
        if (!p.keep) return;
        if (p.file.size > limits.maxFileBytes) {
          p.keep = false;
          p.chunks = [];
          return;
        }
        p.chunks.push(bytes);
        return;
      }
      if (p.length + bytes.length > MAX_PART_SIZE) throw refused(`Part exceeded maximum size of ${MAX_PART_SIZE / 1024}KB.`);
      p.chunks.push(bytes);
      p.length += bytes.length;
    },
    partEnd() {
      const p = part!;
      if (p.file) {
        if (p.keep) p.file.bytes = Buffer.concat(p.chunks);
        entries.push([p.name, p.file]);
      } else entries.push([p.name, safeDecode(Buffer.concat(p.chunks, p.length), charset)]);
      part = undefined;
    },
    end() {
      ended = true;
    },
  });
  return {
    write(chunk) {
      try {
        parser.write(chunk);
      } catch (err) {
        throw err instanceof MultipartError ? unreadable() : err;
      }
    },
    end() {
      void ended; // python-multipart's finalize: a body cut short keeps only its finished parts
      return new FormBody(entries);
    },
  };
}

// FormParser: name=value pairs split at "&" (or ";" when no "&" follows),
// each decoded from latin-1 and then unquote_plus'd (percent escapes as UTF-8).
function urlencodedSink(): Sink {
  const chunks: Buffer[] = [];
  return {
    write: (c) => void chunks.push(c),
    end() {
      const s = Buffer.concat(chunks).toString("latin1");
      const entries: [string, FormValue][] = [];
      let i = 0;
      while (i < s.length) {
        if (s[i] === "&" || s[i] === ";") {
          i++;
          continue;
        }
        let sep = s.indexOf("&", i);
        if (sep < 0) sep = s.indexOf(";", i);
        const end = sep < 0 ? s.length : sep;
        const piece = s.slice(i, end);
        const eq = piece.indexOf("=");
        entries.push(eq < 0 ? [unquotePlus(piece), ""] : [unquotePlus(piece.slice(0, eq)), unquotePlus(piece.slice(eq + 1))]);
        i = end;
      }
      return new FormBody(entries);
    },
  };
}

// urllib.parse.unquote_plus: "+" is a space; runs of %XX are UTF-8 (errors replaced)
function unquotePlus(s: string): string {
  return s.replaceAll("+", " ").replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replaceAll("%", ""), "hex").toString("utf8"));
}

// Starlette's _user_safe_decode: the form's charset, else latin-1
function safeDecode(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * The file parts of a form route, or undefined for a JSON route. A route
 * takes a form when its REST body (the operation's request_body message, else
 * the request) has bytes fields: JSON cannot carry bytes, FastAPI's File()
 * parameters are such fields, and they make the body multipart/form-data.
 */
export function formFieldsOf(method: DescMethod): ReadonlySet<string> | undefined {
  const name = getOption(method, operation).requestBody;
  const body = (name ? method.parent.file.messages.find((m) => m.typeName === name) : undefined) ?? method.input;
  const files = body.fields.filter((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.BYTES).map((f) => f.name);
  return files.length > 0 ? new Set(files) : undefined;
}
