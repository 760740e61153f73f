// Types of pdf-text.mjs (plain JS, loaded by a worker thread too).
export interface PdfTextItem {
  str?: string;
  width: number;
  height: number;
  transform: number[];
}
export function pdfText(bytes: Uint8Array): Promise<string>;
export function pageText(items: PdfTextItem[], pageTop: number): string;
