// Configuration problems, each tied to a file and (where there is one) a line.
// Every parser reports through a DiagnosticSink so that `hbd check-config`,
// `hbd run` and reloads print the same text for the same mistake.

export type Severity = 'error' | 'warning';

/** Where a value came from. line is 1-based; 0 means "the file as a whole". */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly severity: Severity;
  /** Stable identifier (e.g. HACF_UNKNOWN_DIRECTIVE); tests and tools branch on it. */
  readonly code: string;
  readonly message: string;
}

export class DiagnosticSink {
  private readonly items: Diagnostic[] = [];

  error(at: SourceRef, code: string, message: string): void {
    this.items.push({ file: at.file, line: at.line, severity: 'error', code, message });
  }

  warning(at: SourceRef, code: string, message: string): void {
    this.items.push({ file: at.file, line: at.line, severity: 'warning', code, message });
  }

  get all(): readonly Diagnostic[] {
    return this.items;
  }

  get errors(): readonly Diagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  merge(other: DiagnosticSink): void {
    this.items.push(...other.items);
  }
}

/** `FILE:LINE: error: message`, or `FILE: error: message` for whole-file problems (gcc style). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}` : d.file;
  return `${where}: ${d.severity}: ${d.message}`;
}

/** Stable order for printing: by file, then line, errors before warnings on the same line. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
}
