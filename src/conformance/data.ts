/**
 * The `.data` test format of the bpf_conformance suite:
 *
 * ```
 * # comment lines (licence headers, descriptions)
 * -- asm
 * mov %r0, 1          # mnemonic-dialect assembly
 * exit
 * -- mem
 * aa bb 11 cc         # hex bytes: r1 points at a copy, r2 holds the length
 * -- result
 * 0x1                 # expected r0, all 64 bits
 * -- raw
 * 0x00000001000000b7  # the program as whole little-endian 64-bit words
 * -- error
 * text of the expected failure
 * ```
 *
 * A section starts at a line beginning with `--` and runs to the next. Other names
 * (`-- c`, `-- no register offset`, ...) are kept as-is in `sections`. The data
 * sections take `#` comments anywhere on a line; `asm` is kept verbatim (the assembler
 * strips its own comments, and keeping the lines keeps error lines right) and so is
 * every other section, since `-- c` holds C where `#include` is not a comment.
 *
 * Pure text in, record out: reading files is the caller's business, so this also runs
 * in a browser.
 */
import { EbeeError, formatLocation, type SourceLocation } from '../errors.js';

export const DATA_FILE_ERROR = 'EBEE_CONFORMANCE_BAD_FILE' as const;

/** A malformed `.data` file; the message starts with `file:line:column`. */
export class DataFileError extends EbeeError {
  constructor(message: string, location: SourceLocation) {
    super(DATA_FILE_ERROR, `${formatLocation(location)}: ${message}`, { location });
  }
}

export interface DataFile {
  /** The test's name: the file name without `.data`. */
  readonly name: string;
  /** The `-- asm` section verbatim ('' when absent). */
  readonly asm: string;
  /** 1-based line in the file of the first line of `asm` (0 when there is no asm section). */
  readonly asmLine: number;
  /** `-- mem` bytes, when the section is present (possibly empty). */
  readonly mem?: Uint8Array;
  /** `-- result`: the expected r0 as an unsigned 64-bit value. */
  readonly result?: bigint;
  /** `-- raw`: the expected program as 64-bit words (opcode in the low byte). */
  readonly raw?: bigint[];
  /** `-- error`: the expected failure text, comment lines removed. */
  readonly error?: string;
  /** Every section by name (`asm`, `c`, `no register offset`, ...), verbatim. */
  readonly sections: Map<string, string>;
}

export interface DataFileOptions {
  /** Path or file name, for error messages and the default test name. */
  readonly file?: string;
  /** The test name; default: the file's base name without `.data`. */
  readonly name?: string;
}

interface Section {
  readonly name: string;
  /** 1-based line of the section's first content line. */
  readonly firstLine: number;
  readonly lines: string[];
}

/**
 * Parses a `.data` file. The second argument is the test name, or options naming the
 * file. Throws `DataFileError` (code `EBEE_CONFORMANCE_BAD_FILE`) for malformed hex,
 * results that are not 64-bit numbers, duplicate sections, or text outside a section.
 */
export function parseDataFile(text: string, nameOrOptions: string | DataFileOptions = {}): DataFile {
  const options: DataFileOptions = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
  const name = options.name ?? (options.file ?? '').replace(/^.*[\\/]/, '').replace(/\.data$/, '');
  const file = options.file ?? (name === '' ? undefined : `${name}.data`);
  const at = (line: number, column = 1): SourceLocation => (file === undefined ? { line, column } : { line, column, file });

  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const found = new Map<string, Section>();
  let current: Section | undefined;
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    const header = /^\s*--(?:\s(.*))?$/.exec(line);
    if (header) {
      const sectionName = stripComment(header[1] ?? '').trim();
      if (sectionName === '') throw new DataFileError('section header without a name', at(lineNo));
      const previous = found.get(sectionName);
      if (previous) {
        throw new DataFileError(`section '-- ${sectionName}' appears twice (first at line ${previous.firstLine - 1})`, at(lineNo));
      }
      current = { name: sectionName, firstLine: lineNo + 1, lines: [] };
      found.set(sectionName, current);
      return;
    }
    if (current) {
      current.lines.push(line);
      return;
    }
    const stray = stripComment(line);
    if (stray.trim() !== '') {
      throw new DataFileError(`text before the first section: '${stray.trim()}'`, at(lineNo, stray.search(/\S/) + 1));
    }
  });

  const sections = new Map<string, string>();
  for (const [key, s] of found) sections.set(key, s.lines.join('\n'));
  const asm = found.get('asm');
  const mem = found.get('mem');
  const result = found.get('result');
  const raw = found.get('raw');
  const error = found.get('error');
  return {
    name,
    asm: asm ? sections.get('asm')! : '',
    asmLine: asm ? asm.firstLine : 0,
    ...(mem ? { mem: parseMem(mem, at) } : {}),
    ...(result ? { result: parseResult(result, at) } : {}),
    ...(raw ? { raw: parseRaw(raw, at) } : {}),
    ...(error ? { error: error.lines.filter((l) => !/^\s*#/.test(l)).join('\n').trim() } : {}),
    sections,
  };
}

/**
 * The program bytes that `raw` words stand for: each word little-endian, so the
 * opcode (the word's low byte) comes first, as in the kernel's `struct bpf_insn`.
 */
export function rawBytes(words: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 8);
  const view = new DataView(bytes.buffer);
  words.forEach((w, k) => view.setBigUint64(k * 8, BigInt.asUintN(64, w), true));
  return bytes;
}

type Locate = (line: number, column?: number) => SourceLocation;

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash < 0 ? line : line.slice(0, hash);
}

/** The whitespace-separated words of a section's lines, comments removed, with positions. */
function words(section: Section): { text: string; line: number; column: number }[] {
  const out: { text: string; line: number; column: number }[] = [];
  section.lines.forEach((line, k) => {
    for (const m of stripComment(line).matchAll(/\S+/g)) {
      out.push({ text: m[0], line: section.firstLine + k, column: m.index! + 1 });
    }
  });
  return out;
}

function parseMem(section: Section, at: Locate): Uint8Array {
  const bytes: number[] = [];
  for (const w of words(section)) {
    // The suite writes one byte a word; a longer even run of hex digits is unambiguous too.
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(w.text)) {
      throw new DataFileError(`-- mem: '${w.text}' is not a hex byte`, at(w.line, w.column));
    }
    for (let i = 0; i < w.text.length; i += 2) bytes.push(parseInt(w.text.slice(i, i + 2), 16));
  }
  return Uint8Array.from(bytes);
}

function parseResult(section: Section, at: Locate): bigint {
  const list = words(section);
  const [first, extra] = list;
  if (!first) throw new DataFileError('-- result is empty', at(section.firstLine - 1));
  if (extra) throw new DataFileError(`-- result holds more than one value ('${extra.text}')`, at(extra.line, extra.column));
  const m = /^(-?)(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(first.text);
  const value = m ? (m[1] === '-' ? -BigInt(m[2]!) : BigInt(m[2]!)) : undefined;
  if (value === undefined || value < -(1n << 63n) || value >= 1n << 64n) {
    throw new DataFileError(`-- result: '${first.text}' is not a 64-bit number`, at(first.line, first.column));
  }
  return BigInt.asUintN(64, value);
}

function parseRaw(section: Section, at: Locate): bigint[] {
  return words(section).map((w) => {
    if (!/^0[xX][0-9a-fA-F]{1,16}$/.test(w.text)) {
      throw new DataFileError(`-- raw: '${w.text}' is not a 64-bit hex word (0x...)`, at(w.line, w.column));
    }
    return BigInt(w.text);
  });
}
