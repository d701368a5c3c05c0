/**
 * CSV (RFC 4180) for spreadsheets: a header row, then one row per record. Text from the log is
 * untrusted: a text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a
 * tab or a carriage return) is written with a leading apostrophe, which shows it as text (OWASP's
 * advice for CSV injection). Numbers are written as they are.
 */

function field(value: string | number | null | undefined): string {
  let text = value == null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
