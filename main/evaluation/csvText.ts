/** One CSV line (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvLine(fields: ReadonlyArray<string | number>): string {
  return fields
    .map((f) => {
      const s = typeof f === 'number' ? (Number.isFinite(f) ? String(f) : '') : f;
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

/** A whole CSV file: header plus rows, newline-terminated. */
export function csvText(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return [header, ...rows].map(csvLine).join('\n') + '\n';
}
