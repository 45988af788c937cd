import { assemble, DIALECTS, detectDialect, type Dialect } from '../../asm/index.js';
import { decode } from '../../isa/index.js';
import { MapType } from '../../maps/constants.js';
import { TEST_CONTEXT, type MapDescriptor, type VerifierResult } from '../../verifier/index.js';
import { PROGRAM_TYPE_NAMES, programType } from '../../progs/index.js';
import { verifyProgram, type VerifyProgramOptions } from '../../runtime/index.js';
import { UsageError, expectPositionals, flagValue, parseArgs } from '../args.js';
import { readFile } from '../io.js';
import type { Command, Output } from '../command.js';
import { verifyObject } from '../verify-object.js';
import { EbeeError } from '../../errors.js';

/** `ebee verify` reads an object it cannot handle yet. */
const UNSUPPORTED = 'EBEE_CLI_UNSUPPORTED';

function report(out: Output, what: string, result: VerifierResult, logLevel: number): void {
  if (logLevel > 0) for (const line of result.log.trimEnd().split('\n')) out.log(line);
  if (result.ok) {
    out.log(`${what}: safe (${result.stats.processedInsns} instructions processed)`);
    return;
  }
  out.log(`${what}: rejected at insn ${result.error!.pc} [${result.error!.category}]: ${result.error!.message}`);
  if (result.explain) for (const line of result.explain.text.split('\n')) out.log(line);
}

function parseMap(spec: string): { name: string; desc: MapDescriptor } {
  const parts = spec.split(':');
  if (parts.length !== 5) throw new UsageError(`--map takes NAME:TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES (got '${spec}')`);
  const [name, type, ...sizes] = parts as [string, string, string, string, string];
  const byName = (MapType as Record<string, number>)[type.toUpperCase()];
  const typeNo = /^\d+$/.test(type) ? Number(type) : byName;
  if (typeNo === undefined) {
    throw new UsageError(`--map ${name}: unknown map type '${type}' (e.g. ${Object.keys(MapType).slice(1, 6).map((k) => k.toLowerCase()).join(', ')}, or a number)`);
  }
  const [keySize, valueSize, maxEntries] = sizes.map((s, k) => {
    if (!/^\d+$/.test(s)) throw new UsageError(`--map ${name}: ${['KEY_SIZE', 'VALUE_SIZE', 'MAX_ENTRIES'][k]} must be a number (got '${s}')`);
    return Number(s);
  }) as [number, number, number];
  return { name, desc: { type: typeNo, keySize, valueSize, maxEntries, name } };
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'verify a program as the Linux verifier would (exit 0 safe, 1 rejected)',
  usage: `ebee verify FILE [--type T] [--map NAME:TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES]...
                 [--sleepable] [--log-level 0|1|2] [--json] [--dialect pseudo-c|mnemonic]

Verifies FILE (an ELF object, assembly, .hex or raw bytecode) by abstract interpretation, as Linux
does at load time: every path must terminate and touch only memory it may. Prints the
verdict, the kernel-format log (level 1: the path to the error; 2: every instruction
with its state) and, for a rejection, an explanation: the failing instruction, the
branches taken, where the offending register came from, and a hint.

  --type T      for assembly: a program type (xdp, tc/sched_cls, socket, kprobe, ...: its
                context, return range and helpers), or 'test' (the default), a 64-byte
                context with data at 0 and data_end at 4; for objects: the type of
                sections that name none
  --map SPEC    a map the program names, in order (assembly names map to indices by
                first use); TYPE by name (array, hash, ringbuf, ...) or number
  --sleepable   for assembly: the program is sleepable (BPF_F_SLEEPABLE), so it may call
                helpers that might sleep (bpf_copy_from_user...); objects say it by section
  --json        the result as JSON (ok, error, stats, explain, log)
  --section S, --program P   verify only this section / program of an ELF object
                (default: every program; a .text function may be named too)

Exit status: 0 safe, 1 rejected or unreadable, 2 usage.`,
  run(argv, out) {
    // --map may repeat; the shared parser keeps one value per flag.
    const maps: { name: string; desc: MapDescriptor }[] = [];
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--map') {
        const v = argv[++i];
        if (v === undefined) throw new UsageError('--map needs a value');
        maps.push(parseMap(v));
      } else if (a.startsWith('--map=')) maps.push(parseMap(a.slice(6)));
      else rest.push(a);
    }
    const args = parseArgs(rest, {
      type: { value: true }, 'log-level': { value: true, choices: ['0', '1', '2'] }, json: {}, sleepable: {},
      dialect: { value: true, choices: DIALECTS }, section: { value: true }, program: { value: true },
    });
    const [file] = expectPositionals(args, ['FILE']);
    const type = flagValue(args, 'type');
    const bytes = readFile(file!);
    const isElf = bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
    const logLevel = Number(flagValue(args, 'log-level') ?? '1') as 0 | 1 | 2;
    const json = args.flags.has('json');
    if (isElf) {
      if (maps.length) throw new UsageError('an ELF object declares its own maps: --map is for assembly and bytecode');
      if (args.flags.has('sleepable')) throw new UsageError('an ELF object says which programs are sleepable by section (.s, syscall): --sleepable is for assembly and bytecode');
      const section = flagValue(args, 'section');
      const program = flagValue(args, 'program');
      const verdicts = verifyObject(bytes, {
        logLevel, ...(section !== undefined ? { section } : {}), ...(program !== undefined ? { program } : {}),
        ...(type !== undefined ? { fallbackType: /^\d+$/.test(type) ? Number(type) : type } : {}),
      });
      if (verdicts.length === 0) throw new EbeeError(UNSUPPORTED, `${file}: no program matches`);
      if (json) {
        out.log(JSON.stringify(verdicts.map((v) => ({
          program: v.name, section: v.section, ok: v.result.ok, error: v.result.error ?? null, stats: v.result.stats,
          explain: v.result.explain ?? null, log: v.result.log,
        })), null, 2));
      } else {
        for (const v of verdicts) report(out, `${file} ${v.section}/${v.name}`, v.result, logLevel);
      }
      return verdicts.every((v) => v.result.ok) ? 0 : 1;
    }
    if (flagValue(args, 'section') !== undefined || flagValue(args, 'program') !== undefined) {
      throw new UsageError('--section and --program choose a program of an ELF object');
    }
    let typeInfo: VerifyProgramOptions['type'] = { context: TEST_CONTEXT };
    if (type !== undefined && type !== 'test') {
      try {
        typeInfo = programType(/^\d+$/.test(type) ? Number(type) : type);
      } catch {
        throw new UsageError(`unknown program type '${type}' (one of test, ${PROGRAM_TYPE_NAMES.join(', ')})`);
      }
    }
    let insns;
    const lower = file!.toLowerCase();
    const text = new TextDecoder().decode(bytes);
    if (lower.endsWith('.bin') || lower.endsWith('.o') || /[\0-\x08\x0e-\x1f]/.test(text)) insns = decode(bytes);
    else {
      const dialect = (flagValue(args, 'dialect') as Dialect | undefined) ?? detectDialect(text);
      const linked = assemble(text, { dialect, file: file!, maps: maps.map((m) => m.name) });
      for (const name of linked.maps) {
        if (!maps.some((m) => m.name === name)) throw new UsageError(`the program uses map '${name}': describe it with --map ${name}:TYPE:KEY:VALUE:MAX`);
      }
      insns = linked.insns;
    }
    const result = verifyProgram(insns, { type: typeInfo, maps: maps.map((m) => m.desc), logLevel, ...(args.flags.has('sleepable') ? { sleepable: true } : {}) });
    if (json) {
      out.log(JSON.stringify({ ok: result.ok, error: result.error ?? null, stats: result.stats, explain: result.explain ?? null, log: result.log }, null, 2));
      return result.ok ? 0 : 1;
    }
    report(out, file!, result, logLevel);
    return result.ok ? 0 : 1;
  },
};
