import { DIALECTS, printMnemonic, printPseudoC, type Dialect } from '../../asm/index.js';
import { Vm, runTraced, type TraceStep } from '../../vm/index.js';
import { JitVm } from '../../jit/index.js';
import { expectPositionals, flagValue, parseArgs, UsageError } from '../args.js';
import { loadProgram, parseHex, readFile } from '../io.js';
import type { Command, Output } from '../command.js';
import { PROGRAM_TYPE_NAMES } from '../../progs/index.js';
import { isElf } from '../../runtime/index.js';
import { parseContext, runTyped } from './run-typed.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a program in the interpreter and print r0',
  usage: `ebee run FILE [--mem HEX | --mem-file F] [--jit | --interp] [--trace] [--json]
             [--budget N] [--dialect pseudo-c|mnemonic] [--unchecked]
ebee run FILE --type T [--data HEX | --data-file F] [--ctx HEX|NAME=N,... | --ctx-file F]
             [--repeat N] [--map NAME:TYPE:KEY:VALUE:ENTRIES,...] [--jit | --interp] [--json] [--no-verify]
ebee run FILE --type T --pcap CAPTURE [--out OUT.pcap] [--map ...] [--json]
ebee run OBJECT.o [--program NAME | --section S] [--type T] [--btf TARGET.btf] [--no-verify]
             [--data ... | --ctx ... | --pcap ... --out ...] [--jit | --interp] [--json]

Runs FILE (assembly, .hex words or raw bytecode) with r1 = a pointer to a copy of
the memory given (or 0) and r2 = its length, as the conformance suite does, and
prints r0. Programs run compiled to WebAssembly (--jit, the default) or in the
interpreter (--interp, and always with --trace). --trace prints every executed
instruction with the registers it changed. --budget caps executed instructions (default 100000000). --unchecked
skips the per-access region checks (only memory bounds are enforced).

With --type (xdp, tc/sched_cls, sched_act, socket, cgroup_skb, kprobe, tracepoint,
raw_tp, syscall) the program runs as that program type, as BPF_PROG_TEST_RUN runs
it: --data is the packet, --ctx the context (hex bytes, or fields by name such as
mark=1,cb[0]=2 or PARM1=5), and it prints the return code, the packet and context
after the run, printk lines, events and every map's contents. --map creates maps
the program names (e.g. counts:array:4:8:256). --pcap runs the program on every
packet of a pcap or pcapng capture (converted to Ethernet) and prints how many got
each return code; --out writes the packets that pass, as the program left them.

An ELF object (clang -target bpf) is loaded whole: its maps are created and
initialised from the object, its programs linked, prog arrays and maps of maps
filled. --program NAME or --section S picks the program to run (needed when the
object has several); its type comes from its section (--type overrides it).
--btf gives the BTF that CO-RE relocations resolve against.

With --type or an object the program is verified first, as Linux does at load: a
rejected program is not run (see \`ebee verify\` for the log and explanation); an
accepted one runs unchecked (no region checks or budget; --budget asks for checked
mode). --no-verify loads it unverified and runs it checked.`,
  run(argv, out) {
    const args = parseArgs(argv, {
      mem: { value: true }, 'mem-file': { value: true }, trace: {}, json: {}, budget: { value: true },
      dialect: { value: true, choices: DIALECTS }, unchecked: {}, jit: {}, interp: {}, 'no-verify': {},
      type: { value: true, choices: PROGRAM_TYPE_NAMES }, data: { value: true }, 'data-file': { value: true },
      ctx: { value: true }, 'ctx-file': { value: true }, repeat: { value: true }, map: { value: true },
      pcap: { value: true }, out: { value: true }, program: { value: true }, section: { value: true }, btf: { value: true },
    });
    if (args.flags.has('jit') && args.flags.has('interp')) throw new UsageError('give --jit or --interp, not both');
    if (args.flags.has('jit') && args.flags.has('trace')) throw new UsageError('--trace needs the interpreter (drop --jit)');
    const useJit = !args.flags.has('interp') && !args.flags.has('trace');
    const [file] = expectPositionals(args, ['FILE']);
    const dialect = flagValue(args, 'dialect') as Dialect | undefined;
    const budgetText = flagValue(args, 'budget');
    const budget = budgetText === undefined ? undefined : Number(budgetText);
    if (budget !== undefined && !(Number.isSafeInteger(budget) && budget > 0)) throw new UsageError('--budget must be a positive integer');
    const type = flagValue(args, 'type');
    const object = isElf(readFile(file!));
    if (!object) {
      for (const f of ['program', 'section', 'btf']) if (args.flags.has(f)) throw new UsageError(`--${f} needs an ELF object file`);
    } else {
      for (const f of ['mem', 'mem-file', 'trace', 'unchecked', 'map', 'dialect']) {
        if (args.flags.has(f)) throw new UsageError(`--${f} does not go with an ELF object${f === 'map' ? ' (its maps come from the object)' : ''}`);
      }
      if (args.flags.has('program') && args.flags.has('section')) throw new UsageError('give --program or --section, not both');
    }
    const typedFlags = ['data', 'data-file', 'ctx', 'ctx-file', 'repeat', 'map', 'pcap', 'out', 'no-verify'];
    if (type === undefined && !object) {
      const stray = typedFlags.find((f) => args.flags.has(f));
      if (stray) throw new UsageError(`--${stray} needs --type`);
    } else {
      for (const f of ['mem', 'mem-file', 'trace', 'unchecked']) if (args.flags.has(f)) throw new UsageError(`--${f} does not go with --type`);
      return runTyped({
        file: file!, type, dialect, object, program: flagValue(args, 'program'), section: flagValue(args, 'section'),
        btf: flagValue(args, 'btf'), engine: useJit ? 'jit' : 'interpreter',
        maps: flagValue(args, 'map'), data: oneOf(args, 'data', 'data-file', (t) => parseHex(t, '--data')),
        ctx: oneOf(args, 'ctx', 'ctx-file', parseContext), repeat: count(flagValue(args, 'repeat'), '--repeat'), budget,
        pcap: flagValue(args, 'pcap'), out: flagValue(args, 'out'), json: args.flags.has('json'),
        verify: !args.flags.has('no-verify'),
      }, out);
    }
    const { insns, format } = loadProgram(file!, dialect);
    const memHex = flagValue(args, 'mem');
    const memFile = flagValue(args, 'mem-file');
    if (memHex !== undefined && memFile !== undefined) throw new UsageError('give --mem or --mem-file, not both');
    const mem = memHex !== undefined ? parseHex(memHex, '--mem') : memFile !== undefined ? readFile(memFile) : undefined;

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

/** `--NAME TEXT` parsed, or `--NAME-file F` read, or neither. */
function oneOf<T>(args: ReturnType<typeof parseArgs>, name: string, fileName: string, parse: (text: string) => T): T | Uint8Array | undefined {
  const text = flagValue(args, name);
  const file = flagValue(args, fileName);
  if (text !== undefined && file !== undefined) throw new UsageError(`give --${name} or --${fileName}, not both`);
  return text !== undefined ? parse(text) : file !== undefined ? readFile(file) : undefined;
}

function count(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a non-negative integer`);
  return Number(text);
}

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
