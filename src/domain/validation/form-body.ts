// A form body (multipart/form-data or x-www-form-urlencoded) as Starlette's
// FormData hands it to FastAPI: named parts in order, each a text value or
// an uploaded file. FastAPI reads a field with FormData.get: the last part of
// that name.

export interface FormFile {
  /** the part's filename parameter */
  filename: string;
  /** the part's Content-Type header as sent; null when it had none */
  contentType: string | null;
  /** bytes received */
  size: number;
  /** the bytes; undefined when the reader kept none (over its limit, or a field nobody reads as a file) */
  bytes: Uint8Array | undefined;
}

export type FormValue = string | FormFile;

export class FormBody {
  constructor(readonly entries: [string, FormValue][]) {}

  /** Starlette's FormData.get: the last value of that name. */
  get(name: string): FormValue | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]![0] === name) return this.entries[i]![1];
    return undefined;
  }
}

export const isFormFile = (v: FormValue | undefined): v is FormFile => typeof v === "object" && v !== null;
