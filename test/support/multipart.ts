// multipart/form-data bodies built byte by byte for the upload tests, so a
// test says exactly what goes on the wire (odd headers, missing names,
// truncation) where fetch's FormData would tidy it up.

export interface Part {
  name?: string;
  /** makes it a file part (filename="...") */
  filename?: string;
  /** the part's Content-Type header; none when undefined */
  type?: string;
  data: string | Uint8Array;
  /** header lines written instead of the ones built from name/filename/type */
  rawHeaders?: string[];
}

export const BOUNDARY = "upload-test-boundary-7d1f";

export function multipart(parts: Part[], { boundary = BOUNDARY, close = true }: { boundary?: string; close?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const headers = p.rawHeaders ?? [
      `Content-Disposition: form-data${p.name === undefined ? "" : `; name="${p.name}"`}${p.filename === undefined ? "" : `; filename="${p.filename}"`}`,
      ...(p.type === undefined ? [] : [`Content-Type: ${p.type}`]),
    ];
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`, "latin1"));
    chunks.push(typeof p.data === "string" ? Buffer.from(p.data, "utf8") : Buffer.from(p.data));
    chunks.push(Buffer.from("\r\n"));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export interface Answer {
  status: number;
  json: any;
}

/** POSTs a body to the upload route. */
export async function postUpload(
  baseUrl: string,
  workspace: string,
  session: string,
  body: Buffer | string,
  contentType: string | null = `multipart/form-data; boundary=${BOUNDARY}`,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${baseUrl}/v3/workspaces/${encodeURIComponent(workspace)}/sessions/${encodeURIComponent(session)}/messages/upload`, {
    method: "POST",
    headers: { ...(contentType === null ? {} : { "content-type": contentType }), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** An upload of one file plus form fields. */
export function uploadForm(file: { data: string | Uint8Array; type?: string; filename?: string }, fields: Record<string, string> = {}): Buffer {
  return multipart([
    { name: "file", filename: file.filename ?? "f.txt", type: file.type, data: file.data },
    ...Object.entries(fields).map(([name, data]) => ({ name, data })),
  ]);
}
