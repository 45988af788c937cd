import { writeFileSync } from 'node:fs';
import { assemble, DIALECTS, detectDialect, type Dialect } from '../../asm/index.js';
import { checkProgram, encode } from '../../isa/index.js';
import { expectPositionals, flagValue, parseArgs } from '../args.js';
import { readFile } from '../io.js';
import type { Command } from '../command.js';

export const asmCommand: Command = {
  name: 'asm',
  summary: 'assemble a text file into raw eBPF bytecode',
  usage: `ebee asm FILE [-o OUT] [--dialect pseudo-c|mnemonic]

Assembles FILE (pseudo-C by default; files that write registers as %rN are read
as the mnemonic dialect unless --dialect says otherwise). With -o, writes raw
little-endian bytecode to OUT; otherwise prints it as hex, one instruction a line.`,
  run(argv, out) {
    const args = parseArgs(argv, { output: { value: true, short: 'o' }, dialect: { value: true, choices: DIALECTS } });
    const [file] = expectPositionals(args, ['FILE']);
    const text = new TextDecoder().decode(readFile(file!));
    const dialect = (flagValue(args, 'dialect') as Dialect | undefined) ?? detectDialect(text);
    const { insns } = assemble(text, { dialect, file: file! });
    checkProgram(insns);
    const bytes = encode(insns);
    const output = flagValue(args, 'output');
    if (output) {
      writeFileSync(output, bytes);
      out.log(`${output}: ${bytes.length / 8} slots (${insns.length} instructions)`);
    } else {
      for (let i = 0; i < bytes.length; i += 8) {
        out.log(Array.from(bytes.subarray(i, i + 8), (b) => b.toString(16).padStart(2, '0')).join(' '));
      }
    }
    return 0;
  },
};
