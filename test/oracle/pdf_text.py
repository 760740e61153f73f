"""Honcho's PDFProcessor (src/utils/files.py) run on PDF files, printing the
text Honcho stores for each as a JSON string: the oracle for the expected
texts in test/e2e/upload.test.ts (PDFs made there with test/support/pdf.ts;
write them to files to run this).

Honcho pins pdfplumber 0.11.9 (on pdfminer.six). Neither installs from PyPI
here; the expected texts were produced with pdfplumber 0.11.0's source (the
jsvine/pdfplumber mirror, `git archive HEAD pdfplumber`) on Debian bookworm's
python3-pdfminer (20221105) and python3-pil, with an empty stand-in module
for pypdfium2 (used only to render images):

    PYTHONPATH=<pdfplumber source>:<dir holding an empty pypdfium2/> \\
        /usr/bin/python3 test/oracle/pdf_text.py a.pdf b.pdf
"""
import json
import sys
from io import BytesIO

import pdfplumber


def extract(content: bytes) -> str:
    # src/utils/files.py PDFProcessor.extract_text, verbatim
    with pdfplumber.open(BytesIO(content)) as pdf_reader:
        text_parts: list[str] = []
        for page_num, page in enumerate(pdf_reader.pages):
            text = page.extract_text()
            if text and text.strip():
                text_parts.append(f"[Page {page_num + 1}]\n{text}")
        return "\n\n".join(text_parts)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            print(json.dumps(extract(f.read()), ensure_ascii=False))
