import { DIALECTS, printMnemonic, printPseudoC, type Dialect } from '../../asm/index.js';
import { Vm, runTraced, type TraceStep } from '../../vm/index.js';
import { JitVm } from '../../jit/index.js';
import { expectPositionals, flagValue, parseArgs, UsageError } from '../args.js';
import { loadProgram, parseHex, readFile } from '../io.js';
import type { Command, Output } from '../command.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a program in the interpreter and print r0',
  usage: `ebee run FILE [--mem HEX | --mem-file F] [--jit | --interp] [--trace] [--json]
             [--budget N] [--dialect pseudo-c|mnemonic] [--unchecked]

Runs FILE (assembly, .hex words or raw bytecode) with r1 = a pointer to a copy of
the memory given (or 0) and r2 = its length, as the conformance suite does, and
prints r0. Programs run compiled to WebAssembly (--jit, the default) or in the
interpreter (--interp, and always with --trace). --trace prints every executed
instruction with the registers it changed. --budget caps executed instructions (default 100000000). --unchecked
skips the per-access region checks (only memory bounds are enforced).`,
  run(argv, out) {
    const args = parseArgs(argv, {
      mem: { value: true }, 'mem-file': { value: true }, trace: {}, json: {}, budget: { value: true },
      dialect: { value: true, choices: DIALECTS }, unchecked: {}, jit: {}, interp: {},
    });
    if (args.flags.has('jit') && args.flags.has('interp')) throw new UsageError('give --jit or --interp, not both');
    if (args.flags.has('jit') && args.flags.has('trace')) throw new UsageError('--trace needs the interpreter (drop --jit)');
    const useJit = !args.flags.has('interp') && !args.flags.has('trace');
    const [file] = expectPositionals(args, ['FILE']);
    const dialect = flagValue(args, 'dialect') as Dialect | undefined;
    const { insns, format } = loadProgram(file!, dialect);
    const memHex = flagValue(args, 'mem');
    const memFile = flagValue(args, 'mem-file');
    if (memHex !== undefined && memFile !== undefined) throw new UsageError('give --mem or --mem-file, not both');
    const mem = memHex !== undefined ? parseHex(memHex, '--mem') : memFile !== undefined ? readFile(memFile) : undefined;
    const budgetText = flagValue(args, 'budget');
    const budget = budgetText === undefined ? undefined : Number(budgetText);
    if (budget !== undefined && !(Number.isSafeInteger(budget) && budget > 0)) throw new UsageError('--budget must be a positive integer');

    const vm = useJit ? new JitVm() : new Vm();
    const region = mem && mem.length > 0 ? vm.space.allocBytes(mem, { name: 'mem' }) : undefined;
    const runOptions = {
      args: region ? [region.start, region.size] : [0, 0],
      checked: !args.flags.has('unchecked'),
      ...(budget === undefined ? {} : { budget }),
    };
    const json = args.flags.has('json');
    if (vm instanceof JitVm) {
      const result = vm.run(insns, runOptions);
      report(out, json, result.r0, result.executed, 'jit');
      return 0;
    }
    const ex = vm.start(insns, runOptions);
    const trace: TraceStep[] = [];
    const print = (dialect ?? format) === 'mnemonic' ? printMnemonic : printPseudoC;
    const result = args.flags.has('trace')
      ? runTraced(ex, (step) => {
        if (json) trace.push(step);
        else out.log(formatStep(step, print));
      })
      : ex.run();
    if (json) {
      out.log(JSON.stringify({
        r0: '0x' + result.r0.toString(16),
        r0_signed: BigInt.asIntN(64, result.r0).toString(),
        executed: result.executed,
        engine: 'interpreter',
        ...(args.flags.has('trace') ? {
          trace: trace.map((s) => ({
            pc: s.pc, depth: s.depth, insn: print(s.insn),
            changed: Object.fromEntries([...s.changed].map(([r, v]) => [`r${r}`, '0x' + v.toString(16)])),
          })),
        } : {}),
      }, null, 2));
    } else {
      report(out, false, result.r0, result.executed, 'interpreter');
    }
    return 0;
  },
};

function report(out: Output, json: boolean, r0: bigint, executed: number | undefined, engine: string): void {
  if (json) {
    out.log(JSON.stringify({
      r0: '0x' + r0.toString(16), r0_signed: BigInt.asIntN(64, r0).toString(),
      ...(executed === undefined ? {} : { executed }), engine,
    }, null, 2));
    return;
  }
  out.log(`r0 = 0x${r0.toString(16)} (${BigInt.asIntN(64, r0)})`);
  out.log(executed === undefined ? `(${engine}, unchecked: instructions not counted)` : `executed ${executed} instructions (${engine})`);
}

function formatStep(step: TraceStep, print: (i: TraceStep['insn']) => string): string {
  const changes = [...step.changed].map(([r, v]) => `r${r}=0x${v.toString(16)}`).join(' ');
  const indent = '  '.repeat(step.depth);
  return `${String(step.pc).padStart(5)}: ${indent}${print(step.insn).padEnd(40)}${changes ? ' ; ' + changes : ''}`;
}
