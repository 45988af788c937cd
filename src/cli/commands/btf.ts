import { gunzipSync } from 'node:zlib';
import { EbeeError } from '../../errors.js';
import { BTF_MAGIC, dumpBtfC, dumpBtfRaw, parseBtf, type Btf } from '../../btf/index.js';
import { parseElf } from '../../elf/index.js';
import { flagValue, parseArgs, UsageError } from '../args.js';
import { readFile } from '../io.js';
import type { Command } from '../command.js';

/** The file holds neither BTF nor an ELF object with a `.BTF` section. */
export const NO_BTF = 'EBEE_CLI_NO_BTF';

const FORMATS = ['raw', 'c'] as const;

/** ELF's first four bytes. */
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean => prefix.every((b, i) => bytes[i] === b);

/**
 * The BTF bytes of a file: raw BTF (either byte order), an ELF object's `.BTF`
 * section, or either of those gzipped (the gzip magic decides, not the name).
 */
export function btfBytesOf(bytes: Uint8Array, path: string): Uint8Array {
  if (startsWith(bytes, [0x1f, 0x8b])) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (err) {
      throw new EbeeError(NO_BTF, `${path}: gzip data is damaged: ${(err as Error).message}`, { cause: err });
    }
  }
  if (startsWith(bytes, ELF_MAGIC)) {
    const section = parseElf(bytes).section('.BTF');
    if (!section || section.data.length === 0) throw new EbeeError(NO_BTF, `${path}: the ELF object has no .BTF section`);
    return section.data;
  }
  const le = bytes.length >= 2 && (bytes[0]! | (bytes[1]! << 8)) === BTF_MAGIC;
  const be = bytes.length >= 2 && ((bytes[0]! << 8) | bytes[1]!) === BTF_MAGIC;
  if (!le && !be) throw new EbeeError(NO_BTF, `${path} is neither BTF nor an ELF object (nor either gzipped)`);
  return bytes;
}

/** Reads and parses the BTF in `path`, as split BTF over `base` when given. */
export function loadBtfFile(path: string, base?: Btf): Btf {
  return parseBtf(btfBytesOf(readFile(path), path), base ? { base } : {});
}

export const btfCommand: Command = {
  name: 'btf',
  summary: 'dump BTF type information as bpftool does (raw or C)',
  usage: `ebee btf dump [file] FILE [format raw|c] [--base-btf BASE]

Prints the types of FILE: raw BTF (like /sys/kernel/btf/vmlinux), an ELF object's
.BTF section, or either gzipped. 'format raw' (the default) lists one type a line;
'format c' prints C declarations, a vmlinux.h. The output is the same as
'bpftool btf dump file FILE [format c]'. --base-btf (-B) reads FILE as split BTF
over BASE (kernel module BTF over vmlinux); the raw dump then lists FILE's types only.`,
  run(argv, out) {
    const args = parseArgs(argv, { 'base-btf': { value: true, short: 'B' } });
    const words = [...args.positionals];
    if (words.shift() !== 'dump') throw new UsageError(words.length ? 'the only subcommand is dump' : 'missing subcommand (dump)');
    // bpftool's keyword form `file FILE` is accepted too.
    if (words[0] === 'file' && words.length > 1 && words.length !== 3) words.shift();
    const [file, keyword, format, ...extra] = words;
    if (file === undefined) throw new UsageError('missing FILE');
    if (keyword !== undefined && keyword !== 'format') throw new UsageError(`unexpected argument '${keyword}'`);
    if (keyword !== undefined && format === undefined) throw new UsageError('format needs a value (raw or c)');
    if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`format must be one of ${FORMATS.join(', ')} (got '${format}')`);
    }
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const basePath = flagValue(args, 'base-btf');
    const btf = loadBtfFile(file, basePath === undefined ? undefined : loadBtfFile(basePath));
    const text = format === 'c' ? dumpBtfC(btf) : dumpBtfRaw(btf);
    // `out.log` adds the newline the dumps end with.
    if (text.length) out.log(text.replace(/\n$/, ''));
    return 0;
  },
};
