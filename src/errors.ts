/**
 * The one error type of ebee. Every layer throws an `EbeeError` (or a subclass named
 * after the layer) with a stable `code`, so callers can branch on `err.code` rather
 * than on message text, and with `cause` when it wraps another failure.
 *
 * Location is attached in one place per layer (the decoder names the instruction
 * index, the assembler the source line and column, the interpreter the pc), never
 * scattered through the code that detects the problem.
 */
export interface SourceLocation {
  /** 1-based line in the source text. */
  line: number;
  /** 1-based column in the source text. */
  column: number;
  /** File name, when the text came from a file. */
  file?: string;
}

export interface EbeeErrorOptions {
  cause?: unknown;
  /** Instruction index (in 8-byte slots, as the kernel counts) the error is about. */
  pc?: number;
  /** Source position the error is about (assembler input). */
  location?: SourceLocation;
}

export class EbeeError extends Error {
  readonly code: string;
  readonly pc: number | undefined;
  readonly location: SourceLocation | undefined;

  constructor(code: string, message: string, options: EbeeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.pc = options.pc;
    this.location = options.location;
  }
}

/** True when `err` is an ebee error, optionally with the given code. */
export function isEbeeError(err: unknown, code?: string): err is EbeeError {
  return err instanceof EbeeError && (code === undefined || err.code === code);
}

/** Formats a location as `file:line:column` (or `line:column`). */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file ? loc.file + ':' : ''}${loc.line}:${loc.column}`;
}
