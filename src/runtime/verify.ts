/**
 * The verifier as loading runs it: the program type gives the context layout and the
 * return range, the helper table the prototypes, the map registry the maps an fd
 * names, the license the GPL flag. The CLI's `ebee verify` goes through here too, so a
 * program `ebee verify` accepts is one `Runtime.loadProgram` accepts.
 */
import { LddwSrc, LDDW_OPCODE, widthOf, type Instruction } from '../isa/index.js';
import type { BpfMap } from '../maps/index.js';
import { helperPrototype } from '../helpers/index.js';
import { verify, type GlobalFunction, type MapDescriptor, type VerifierResult } from '../verifier/index.js';
import type { ProgramTypeInfo } from '../progs/index.js';
import { RuntimeError, RuntimeErrorCode } from './errors.js';

/** Licenses Linux treats as GPL-compatible (license_is_gpl_compatible). */
const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

/** Whether Linux lets a program with this license call gpl_only helpers. */
export function isGplCompatible(license: string): boolean {
  return GPL_COMPATIBLE.has(license);
}

/** What the verifier needs to check one program, besides its instructions. */
export interface VerifyProgramOptions {
  /**
   * The program type (`programType(...)`), or only its context and return range (and
   * the helpers it may call: every helper when absent).
   */
  readonly type: Pick<ProgramTypeInfo, 'context' | 'returnRange'> & Partial<Pick<ProgramTypeInfo, 'helpers'>>;
  /** Maps the program's `lddw`s name: by fd (a Map) or by index (an array). */
  readonly maps?: ReadonlyMap<number, MapDescriptor> | readonly MapDescriptor[];
  /** The program's license (default `GPL`, as for programs that are not objects). */
  readonly license?: string;
  /** 0, 1 (the error path, the default) or 2 (every instruction). */
  readonly logLevel?: 0 | 1 | 2;
  /** Source line per pc, for explanations. */
  readonly lineInfo?: ReadonlyMap<number, string>;
  /** Processed-instruction limit (Linux's 1,000,000 by default). */
  readonly insnLimit?: number;
  /** Global functions by entry pc (`globalFunctionsOf`, from BTF func info): each verified on its own. */
  readonly globalFunctions?: ReadonlyMap<number, GlobalFunction>;
  /** The program is sleepable (BPF_F_SLEEPABLE: `.s` sections, `syscall`): it may call helpers that sleep. */
  readonly sleepable?: boolean;
}

/** Runs the verifier on a program of a known type. */
export function verifyProgram(insns: readonly Instruction[], options: VerifyProgramOptions): VerifierResult {
  const range = options.type.returnRange;
  return verify(insns, {
    context: options.type.context,
    helperPrototype,
    ...(options.type.helpers ? { allowedHelpers: options.type.helpers } : {}),
    ...(options.maps ? { maps: options.maps } : {}),
    logLevel: options.logLevel ?? 1,
    gpl: isGplCompatible(options.license ?? 'GPL'),
    recordStates: false,
    ...(range ? { returnRange: [BigInt(range[0]), BigInt(range[1])] as const } : {}),
    ...(options.lineInfo ? { lineInfo: options.lineInfo } : {}),
    ...(options.insnLimit !== undefined ? { insnLimit: options.insnLimit } : {}),
    ...(options.globalFunctions ? { globalFunctions: options.globalFunctions } : {}),
    ...(options.sleepable ? { sleepable: true } : {}),
  });
}

/** What a map descriptor is made from: a map's resolved spec, or an object's map definition. */
export interface MapShape {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  readonly name?: string;
  readonly innerMap?: MapShape | undefined;
}

/** A map as the verifier sees it: its type, sizes, flags and (map-in-map) inner template. */
export function mapDescriptorOf(spec: MapShape): MapDescriptor {
  const d: { -readonly [K in keyof MapDescriptor]: MapDescriptor[K] } = {
    type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries,
  };
  if (spec.flags !== undefined) d.flags = spec.flags;
  if (spec.name !== undefined) d.name = spec.name;
  if (spec.innerMap) d.inner = mapDescriptorOf(spec.innerMap);
  return d;
}

/** What `verifyForRuntime` is given: the program as BPF_PROG_LOAD sees it. */
export interface RuntimeVerifyInput {
  /** Map references are `lddw` MAP_FD / MAP_VALUE with the map's id (see `mapRefsByFd`). */
  readonly insns: readonly Instruction[];
  readonly mapByFd: (fd: number) => BpfMap | undefined;
  readonly typeInfo: ProgramTypeInfo;
  readonly license?: string;
  readonly lineInfo?: ReadonlyMap<number, string>;
  readonly logLevel?: 0 | 1 | 2;
  readonly globalFunctions?: ReadonlyMap<number, GlobalFunction>;
  readonly sleepable?: boolean;
}

/** Verifies a program about to be loaded into a runtime, its maps taken from the registry by fd. */
export function verifyForRuntime(input: RuntimeVerifyInput): VerifierResult {
  const maps = new Map<number, MapDescriptor>();
  let pc = 0;
  for (const insn of input.insns) {
    const at = pc;
    pc += widthOf(insn);
    if (insn.opcode !== LDDW_OPCODE || (insn.src !== LddwSrc.MAP_FD && insn.src !== LddwSrc.MAP_VALUE)) continue;
    const fd = Number(BigInt.asUintN(32, insn.imm64 ?? BigInt(insn.imm)));
    if (maps.has(fd)) continue;
    const map = input.mapByFd(fd);
    if (!map) throw new RuntimeError(RuntimeErrorCode.UNRESOLVED_MAP, `lddw names map fd ${fd}, which is not a map`, { pc: at });
    maps.set(fd, mapDescriptorOf(map.spec));
  }
  return verifyProgram(input.insns, {
    type: input.typeInfo, maps,
    ...(input.license !== undefined ? { license: input.license } : {}),
    ...(input.lineInfo ? { lineInfo: input.lineInfo } : {}),
    ...(input.logLevel !== undefined ? { logLevel: input.logLevel } : {}),
    ...(input.globalFunctions ? { globalFunctions: input.globalFunctions } : {}),
    ...(input.sleepable ? { sleepable: true } : {}),
  });
}
