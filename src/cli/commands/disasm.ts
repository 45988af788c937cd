import { disassemble, DIALECTS, type Dialect } from '../../asm/index.js';
import { decode } from '../../isa/index.js';
import { expectPositionals, flagValue, parseArgs } from '../args.js';
import { parseHex, readFile } from '../io.js';
import type { Command } from '../command.js';

export const disasmCommand: Command = {
  name: 'disasm',
  summary: 'disassemble raw eBPF bytecode',
  usage: `ebee disasm FILE [--dialect pseudo-c|mnemonic] [--labels] [--hex]

Prints one instruction a line. FILE holds raw little-endian bytecode (with --hex:
hex text). --labels names jump targets instead of printing relative offsets.`,
  run(argv, out) {
    const args = parseArgs(argv, { dialect: { value: true, choices: DIALECTS }, labels: {}, hex: {} });
    const [file] = expectPositionals(args, ['FILE']);
    let bytes = readFile(file!);
    if (args.flags.has('hex')) bytes = parseHex(new TextDecoder().decode(bytes), file!);
    const insns = decode(bytes);
    const dialect = (flagValue(args, 'dialect') as Dialect | undefined) ?? 'pseudo-c';
    out.log(disassemble(insns, { dialect, labels: args.flags.has('labels') }).replace(/\n$/, ''));
    return 0;
  },
};
