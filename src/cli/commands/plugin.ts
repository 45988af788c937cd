import { readFileSync } from 'node:fs';
import { runConformanceProgram } from '../../conformance/run.js';
import { expectPositionals, parseArgs } from '../args.js';
import { parseHex } from '../io.js';
import type { Command } from '../command.js';

export const pluginCommand: Command = {
  name: 'conformance-plugin',
  summary: 'act as a bpf_conformance plugin (program as hex on stdin)',
  usage: `ebee conformance-plugin [MEMHEX] [--jit]

The bpf_conformance runner's plugin protocol: reads the program as hex bytes on
standard input, takes the memory as one hex argument (absent when there is none),
runs the program with r1 = memory, r2 = its length (in the interpreter, or with
--jit the WebAssembly JIT), prints r0 in hex and exits 0.
If the program cannot be decoded or run it prints the message on stderr and exits 1
(2 for a usage error, such as an option the plugin does not know).`,
  run(argv, out) {
    const args = parseArgs(argv, { jit: {} });
    const [memHex] = expectPositionals(args, ['MEMHEX'], 1);
    const program = parseHex(readFileSync(0, 'utf8'), 'program on stdin');
    const mem = memHex === undefined ? undefined : parseHex(memHex, 'memory argument');
    const r0 = runConformanceProgram(program, mem, args.flags.has('jit') ? 'jit' : 'interpreter');
    out.log(r0.toString(16));
    return 0;
  },
};
