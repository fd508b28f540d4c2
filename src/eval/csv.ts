/**
 * A small RFC 4180 CSV reader for datasets: a header row, quoted fields with `""` escapes
 * and embedded newlines, `\r\n` or `\n` line ends. It reads text a piece at a time
 * (`CsvReader`), so a large file streams: a record is handed on as soon as it is complete.
 */

/**
 * An incremental reader: `push` text in any pieces (a record or a quoted field may span
 * two), then `end()`; each complete record comes out as `{ header: value }`.
 *
 * @example
 * const r = new CsvReader((row) => rows.push(row));
 * r.push('input,exp'); r.push('ected\n"a, b",2\n'); r.end(); // rows: [{ input: "a, b", expected: "2" }]
 */
export class CsvReader {
  private header: string[] | undefined;
  private row: string[] = [];
  private field = "";
  private quoted = false;
  /** A quote just closed a quoted field, or a `\r` ended a line: decided by the next character. */
  private pendingQuote = false;
  private pendingCr = false;

  constructor(private readonly onRow: (row: Record<string, string>) => void) {}

  push(text: string): void {
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text[0] === "\n") i = 1;
    }
    if (this.pendingQuote && text.length > i) {
      this.pendingQuote = false;
      // `""` inside a quoted field whose two quotes fell in two pieces.
      if (text[i] === '"') {
        this.field += '"';
        this.quoted = true;
        i++;
      }
    }
    let from = i;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.quoted) {
        if (c !== 34) continue;
        this.field += text.slice(from, i);
        if (i + 1 === text.length) {
          this.quoted = false;
          this.pendingQuote = true;
          from = i + 1;
          continue;
        }
        if (text.charCodeAt(i + 1) === 34) {
          this.field += '"';
          i++;
        } else this.quoted = false;
        from = i + 1;
      } else if (c === 34) {
        this.field += text.slice(from, i);
        this.quoted = true;
        from = i + 1;
      } else if (c === 44) {
        this.row.push(this.field + text.slice(from, i));
        this.field = "";
        from = i + 1;
      } else if (c === 10 || c === 13) {
        this.row.push(this.field + text.slice(from, i));
        this.field = "";
        if (c === 13) {
          if (i + 1 === text.length) this.pendingCr = true;
          else if (text.charCodeAt(i + 1) === 10) i++;
        }
        from = i + 1;
        this.endRow();
      }
    }
    this.field += text.slice(from);
  }

  end(): void {
    this.pendingQuote = false;
    if (this.field !== "" || this.row.length) {
      this.row.push(this.field);
      this.field = "";
      this.endRow();
    }
  }

  private endRow(): void {
    const r = this.row;
    this.row = [];
    if (r.length === 1 && r[0] === "") return;
    if (!this.header) {
      this.header = r.map((h) => h.trim());
      return;
    }
    const out: Record<string, string> = {};
    for (let i = 0; i < this.header.length; i++) out[this.header[i]!] = r[i] ?? "";
    this.onRow(out);
  }
}

/**
 * @example
 * parseCsv('input,expected\n"a, b",2\n'); // [{ input: "a, b", expected: "2" }]
 */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  const reader = new CsvReader((r) => rows.push(r));
  // A UTF-8 byte order mark (Excel writes one) is not part of the first header, as in the
  // streaming reader (TextDecoder drops it).
  reader.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  reader.end();
  return rows;
}
