// A quarantined row's message, "line 812, 연락처: '010-12-5678' is not a Korean
// mobile number; 성명: empty, but a name is required", as (column, message) pairs.

export interface RowProblem {
  column: string;
  message: string;
}

export function splitQuarantineMessage(message: string): RowProblem[] {
  const body = message.replace(/^\s*line\s+\d+\s*,\s*/i, '');
  if (!body.trim()) return [];
  return body.split(/;\s+/).map((part) => {
    const i = part.indexOf(': ');
    if (i <= 0) return { column: '', message: part.trim() };
    return { column: part.slice(0, i).trim(), message: part.slice(i + 2).trim() };
  });
}

/** The problems of a quarantined row: as the core lists them, else read from its message. */
export function problemsOf(entry: { message: string; problems?: { column: string; message: string }[] | null }): RowProblem[] {
  if (entry.problems && entry.problems.length) return entry.problems.map((p) => ({ column: p.column, message: p.message }));
  return splitQuarantineMessage(entry.message);
}
