/**
 * Reading programs and data given on the command line: raw bytecode, hex text, or
 * assembly in either dialect.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { EbeeError } from '../errors.js';
import { decode, type Instruction } from '../isa/index.js';
import { assemble, detectDialect, type Dialect } from '../asm/index.js';
import { UsageError } from './args.js';

export const IO_ERROR = 'EBEE_CLI_IO';

export function readFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new EbeeError(IO_ERROR, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** Parses hex bytes: whitespace, `0x` prefixes and commas are ignored. */
export function parseHex(text: string, what: string): Uint8Array {
  const words = text.split(/[\s,]+/).filter((w) => w.length > 0);
  const hex = words.map((w) => w.replace(/^0x/i, '')).join('');
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
    throw new UsageError(`${what} is not a sequence of hex bytes`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export interface LoadedProgram {
  readonly insns: Instruction[];
  /** How the file was read. */
  readonly format: 'binary' | 'hex' | Dialect;
}

/**
 * Reads a program file. Bytes that are not text, or a `.bin`/`.o` name, are raw
 * bytecode; `.hex` is hex text (whole 64-bit words as printed by the suite's `-- raw`
 * are taken as little-endian instruction words); anything else is assembly.
 */
export function loadProgram(path: string, dialect?: Dialect): LoadedProgram {
  const bytes = readFile(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.bin' || ext === '.o' || (!dialect && !isText(bytes))) return { insns: decode(bytes), format: 'binary' };
  const text = new TextDecoder().decode(bytes);
  if (ext === '.hex') return { insns: decode(hexWords(text)), format: 'hex' };
  const chosen = dialect ?? detectDialect(text);
  return { insns: assemble(text, { dialect: chosen, file: path }).insns, format: chosen };
}

function isText(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13)) return false;
  return true;
}

/** `0x1122334400000018` words (one 64-bit instruction each) or plain hex bytes. */
function hexWords(text: string): Uint8Array {
  const words = text.replace(/#.*$/gm, '').split(/\s+/).filter((w) => w.length > 0);
  if (words.length > 0 && words.every((w) => /^0x[0-9a-fA-F]{16}$/.test(w))) {
    const out = new Uint8Array(words.length * 8);
    const view = new DataView(out.buffer);
    words.forEach((w, i) => view.setBigUint64(i * 8, BigInt(w), true));
    return out;
  }
  return parseHex(words.join(' '), 'hex program');
}
