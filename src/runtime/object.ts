/**
 * Clang-built ELF objects in a runtime, in libbpf's two phases. `openObject` parses
 * the object (elf/) and lets the caller adjust it: global variables, `.rodata`
 * constants included, which programs load, a program's type. `load` then does what
 * libbpf's `bpf_object__load` does: creates every map (global data with its initial
 * image, `.rodata` frozen and read-only to programs), applies CO-RE relocations
 * against a target BTF, loads each program with its map references resolved, and
 * fills the statically initialised slots of prog arrays and maps of maps.
 *
 * CO-RE without a target BTF is refused with `EBEE_RUNTIME_NO_TARGET_BTF` rather than
 * poisoned: ebee has no kernel BTF of its own, so poisoning every relocation would make
 * the program fail at its first field access, far from the cause. A relocation the
 * given target cannot satisfy is poisoned as libbpf does (the run stops at that pc).
 */
import { applyCoreRelocations, parseBtf, type Btf, type CoreReloOutcome } from '../btf/index.js';
import { createSpecOf, parseObject, type LinkedLineInfo, type ObjectMap, type ObjectSpec, type ParseObjectOptions, type ProgramSpec } from '../elf/index.js';
import type { Instruction } from '../isa/index.js';
import { ArrayMap, ArrayOfMaps, HashOfMaps, MapType, PAGE_SIZE, ProgArrayMap, u32, type BpfMap, type MapSpec } from '../maps/index.js';
import { programType } from '../progs/index.js';
import { RuntimeError, RuntimeErrorCode } from './errors.js';
import { GlobalVar, imageStorage, mapStorage } from './globals.js';
import { globalFunctionsOf } from './global-funcs.js';
import type { Program } from './program.js';
import type { LoadOptions } from './runtime.js';

/** What `openObject` needs from the runtime. */
export interface ObjectHost {
  readonly maps: { readonly cpus: number };
  createMap(spec: MapSpec): BpfMap;
  loadProgram(source: readonly Instruction[], options: LoadOptions): Program;
  /** Forgets what a failed load created. */
  discard(maps: readonly BpfMap[], programs: readonly Program[]): void;
}

export interface OpenObjectOptions extends Pick<ParseObjectOptions, 'legacySectionNames'> {
  /** The object's name: the prefix of its global-data maps' kernel names (`name.rodata`); default none. */
  readonly name?: string;
}

export interface LoadObjectOptions {
  /** The BTF CO-RE relocations resolve against (a kernel's, or `spec.btf` for the object's own types). */
  readonly targetBtf?: Btf | Uint8Array;
  /** Check memory accesses at run time (default: unless verified; see `LoadOptions.checked`). */
  readonly checked?: boolean;
  /** Verify the programs (default: whenever the runtime has a verifier; see `LoadOptions.verify`). */
  readonly verify?: boolean;
}

/** A program of an open object: what will be loaded, and how. */
export interface ProgramPlan {
  readonly spec: ProgramSpec;
  /** Load it (default: the section's autoload, false for `SEC("?...")`). */
  autoload: boolean;
  /** A type overriding the section's (a number or a name such as `xdp`). */
  type: number | string | undefined;
}

/** An object parsed and not loaded yet: set variables and choose programs, then `load()`. */
export class OpenObject {
  readonly spec: ObjectSpec;
  readonly name: string;
  private readonly host: ObjectHost;
  private readonly plans = new Map<string, ProgramPlan>();
  private readonly vars = new Map<string, GlobalVar>();
  private loaded = false;

  /** @internal Use `Runtime.openObject`. */
  constructor(host: ObjectHost, bytes: Uint8Array, options: OpenObjectOptions = {}) {
    if (!(bytes instanceof Uint8Array)) throw new RuntimeError(RuntimeErrorCode.BAD_SOURCE, 'an object is a Uint8Array of ELF bytes');
    this.host = host;
    this.name = options.name ?? '';
    this.spec = parseObject(bytes, options.legacySectionNames === undefined ? {} : { legacySectionNames: options.legacySectionNames });
    for (const p of this.spec.programs) this.plans.set(p.name, { spec: p, autoload: p.autoload, type: undefined });
    for (const map of this.spec.maps) {
      if (!map.data) continue;
      for (const v of map.variables ?? []) {
        // The first definition wins, as `ObjectSpec.variable` finds it.
        if (!this.vars.has(v.name)) this.vars.set(v.name, new GlobalVar(map, v, this.spec.btf, imageStorage(map.data, v.offset)));
      }
    }
  }

  /** Every program of the object with its load plan. */
  get programs(): readonly ProgramPlan[] {
    return [...this.plans.values()];
  }

  /** The plan of a program by name. */
  program(name: string): ProgramPlan {
    const plan = this.plans.get(name);
    if (!plan) throw notFound('program', name, [...this.plans.keys()]);
    return plan;
  }

  /** A global variable by name: set it here and the map starts with that value. */
  variable(name: string): GlobalVar {
    const v = this.vars.get(name);
    if (!v) throw notFound('global variable', name, [...this.vars.keys()]);
    return v;
  }

  /** Every global variable, by name. */
  get globals(): ReadonlyMap<string, GlobalVar> {
    return this.vars;
  }

  /** Creates the maps and loads the programs (once). */
  load(options: LoadObjectOptions = {}): LoadedObject {
    if (this.loaded) throw new RuntimeError(RuntimeErrorCode.BAD_OPTION, 'this object is already loaded');
    const plans = [...this.plans.values()].filter((p) => p.autoload);
    for (const p of plans) checkLoadable(p);
    const target = targetOf(options.targetBtf, plans);
    this.loaded = true;

    // Maps first, in the object's order: programs name them by index.
    const maps: BpfMap[] = [];
    const programs = new Map<string, Program>();
    try {
      for (const m of this.spec.maps) maps.push(this.createMap(m));
      return this.finishLoad(options, plans, target, maps, programs);
    } catch (err) {
      this.host.discard(maps, [...programs.values()]);
      this.loaded = false;
      throw err;
    }
  }

  private finishLoad(options: LoadObjectOptions, plans: readonly ProgramPlan[], target: Btf | undefined,
    maps: readonly BpfMap[], programs: Map<string, Program>): LoadedObject {
    const byName = new Map<string, BpfMap>();
    this.spec.maps.forEach((m, i) => byName.set(m.name, maps[i]!));
    const core = new Map<string, CoreReloOutcome[]>();
    for (const plan of plans) {
      const spec = plan.spec;
      let insns = spec.insns;
      if (!spec.coreApplied) {
        const applied = applyCoreRelocations(insns, spec.coreRelos.map((r) => ({
          insnOff: r.pc * 8, typeId: r.typeId, accessStrOff: 0, accessStr: r.accessStr, kind: r.kind,
        })), this.spec.btf!, target!);
        insns = applied.insns;
        core.set(spec.name, applied.outcomes);
      }
      const type = plan.type ?? spec.type;
      const attachType = plan.type === undefined ? spec.sectionType?.expectedAttachType : undefined;
      const globalFunctions = globalFunctionsOf(spec.funcInfo, this.spec.btf,
        { name: programType(type).context.name, type: programType(type).type, ...(attachType === undefined ? {} : { attachType }) });
      programs.set(spec.name, this.host.loadProgram(insns, {
        type, name: spec.name, maps,
        ...(plan.type === undefined && spec.sectionType?.expectedAttachType !== undefined
          ? { expectedAttachType: spec.sectionType.expectedAttachType } : {}), license: this.spec.license, lineInfo: lineInfoOf(spec.lineInfo), globalFunctions,
        ...(spec.sectionType?.sleepable ? { sleepable: true } : {}),
        ...(options.checked === undefined ? {} : { checked: options.checked }),
        ...(options.verify === undefined ? {} : { verify: options.verify }),
      }));
    }

    this.fillSlots(maps, byName, programs);
    // Global data: the image (with whatever was set) goes in; .rodata is then frozen.
    this.spec.maps.forEach((m, i) => {
      if (!m.data) return;
      const map = maps[i] as ArrayMap;
      map.update(0, m.data);
      if (m.dataKind === 'rodata') map.freeze();
    });
    for (const v of this.vars.values()) {
      const i = this.spec.maps.findIndex((m) => m.name === v.section);
      const readOnly = this.spec.maps[i]!.dataKind === 'rodata' ? '.rodata is frozen once the object is loaded' : undefined;
      v.attach(mapStorage(maps[i] as ArrayMap, v.offset, readOnly));
    }
    return new LoadedObject(this, programs, byName, core);
  }

  private createMap(m: ObjectMap): BpfMap {
    try {
      return this.host.createMap(this.createSpec(m));
    } catch (err) {
      throw new RuntimeError(RuntimeErrorCode.BAD_OBJECT, `map '${m.name}' cannot be created: ${(err as Error)?.message ?? err}`, { cause: err });
    }
  }

  /**
   * What BPF_MAP_CREATE gets for a map of the object, with the fix-ups loaders make:
   * a ring buffer's size rounded up to a power-of-two number of pages (libbpf) and its
   * key and value sizes, which C code sets only to name the record type for code
   * generators, dropped (cilium/ebpf's rule); a perf event array's key and value are
   * always 4 bytes and zero entries mean one per CPU (libbpf); a legacy map of maps
   * takes its inner template from the map its definition names (samples/bpf's
   * `inner_map_idx`, iproute2's `inner_id`).
   */
  private createSpec(m: ObjectMap): MapSpec {
    const spec = createSpecOf(m, this.name);
    switch (m.type) {
      case MapType.RINGBUF: {
        let size = PAGE_SIZE;
        while (size < m.maxEntries && size < 0x80000000) size *= 2;
        return { ...spec, keySize: 0, valueSize: 0, maxEntries: m.maxEntries === 0 ? 0 : size };
      }
      case MapType.PERF_EVENT_ARRAY:
        return { ...spec, keySize: 4, valueSize: 4, maxEntries: m.maxEntries || this.host.maps.cpus };
      case MapType.ARRAY_OF_MAPS: case MapType.HASH_OF_MAPS: {
        if (spec.innerMap || m.kind !== 'legacy' || !m.legacy) return spec;
        // Indices count every legacy definition of the object, `maps/NAME` sections included.
        const legacy = this.spec.maps.filter((x) => x.kind === 'legacy');
        const inner = m.legacy.layout === 'iproute2'
          ? (m.legacy.innerId ? legacy.find((x) => x.legacy?.id === m.legacy!.innerId) : undefined)
          : m.legacy.layout === 'samples' ? legacy[m.legacy.innerIdx ?? -1] : undefined;
        return inner && inner !== m ? { ...spec, innerMap: createSpecOf(inner, this.name) } : spec;
      }
      default:
        return spec;
    }
  }

  /** Prog arrays get the object's programs, maps of maps their inner maps, as the object's `.values` say. */
  private fillSlots(maps: readonly BpfMap[], byName: ReadonlyMap<string, BpfMap>, programs: ReadonlyMap<string, Program>): void {
    this.spec.maps.forEach((m, i) => {
      const map = maps[i]!;
      for (const slot of m.slots ?? []) {
        if (slot.program !== undefined) {
          const program = programs.get(slot.program);
          if (!program) {
            throw new RuntimeError(RuntimeErrorCode.BAD_OBJECT,
              `slot ${slot.index} of '${m.name}' names program '${slot.program}', which is not loaded`);
          }
          (map as ProgArrayMap).setProgram(slot.index, program.id);
        } else if (slot.map !== undefined) {
          const inner = byName.get(slot.map)!;
          if (map instanceof ArrayOfMaps) map.setInner(slot.index, inner);
          else if (map instanceof HashOfMaps) map.setInner(u32(slot.index), inner);
        }
      }
    });
  }
}

/** A loaded object: its programs (by name and by section), maps and live global variables. */
export class LoadedObject {
  readonly spec: ObjectSpec;
  /** Loaded programs by function name. */
  readonly programs: ReadonlyMap<string, Program>;
  /** Maps by their name in the object (`flows`, `.rodata`, `.data.tuned`). */
  readonly maps: ReadonlyMap<string, BpfMap>;
  /** CO-RE outcomes per program that had relocations (poisoned ones say why). */
  readonly core: ReadonlyMap<string, readonly CoreReloOutcome[]>;
  private readonly open: OpenObject;

  /** @internal */
  constructor(open: OpenObject, programs: ReadonlyMap<string, Program>, maps: ReadonlyMap<string, BpfMap>,
    core: ReadonlyMap<string, readonly CoreReloOutcome[]>) {
    this.open = open;
    this.spec = open.spec;
    this.programs = programs;
    this.maps = maps;
    this.core = core;
  }

  get license(): string {
    return this.spec.license;
  }

  /** A loaded program by name. */
  program(name: string): Program {
    const p = this.programs.get(name);
    if (!p) throw notFound('loaded program', name, [...this.programs.keys()]);
    return p;
  }

  /** The one loaded program of a section (`xdp`, `tc`); several is an error that names them. */
  programBySection(section: string): Program {
    const names = this.spec.programs.filter((p) => p.section === section && this.programs.has(p.name)).map((p) => p.name);
    if (names.length === 1) return this.programs.get(names[0]!)!;
    if (names.length > 1) {
      throw new RuntimeError(RuntimeErrorCode.NOT_FOUND, `section '${section}' has ${names.length} programs (${names.join(', ')}); name one`);
    }
    throw notFound('section', section, [...new Set(this.spec.programs.filter((p) => this.programs.has(p.name)).map((p) => p.section))]);
  }

  /** The section a loaded program came from. */
  sectionOf(program: Program): string | undefined {
    for (const [name, p] of this.programs) if (p === program) return this.spec.programs.find((s) => s.name === name)?.section;
    return undefined;
  }

  /**
   * The source line (BTF line info) of a pc in a loaded program, as an error's `pc`
   * names it: the last line record at or before the pc. Undefined without line info.
   */
  sourceLine(program: string | Program, pc: number): LinkedLineInfo | undefined {
    const name = typeof program === 'string' ? program : [...this.programs].find(([, p]) => p === program)?.[0];
    const spec = this.spec.programs.find((p) => p.name === name);
    let best: LinkedLineInfo | undefined;
    for (const l of spec?.lineInfo ?? []) if (l.pc <= pc && (!best || l.pc >= best.pc)) best = l;
    return best;
  }

  map(name: string): BpfMap {
    const m = this.maps.get(name);
    if (!m) throw notFound('map', name, [...this.maps.keys()]);
    return m;
  }

  /** A global variable, reading and writing the live map value. */
  variable(name: string): GlobalVar {
    return this.open.variable(name);
  }

  get globals(): ReadonlyMap<string, GlobalVar> {
    return this.open.globals;
  }
}

function notFound(what: string, name: string, known: readonly string[]): RuntimeError {
  const list = known.length ? ` (the object has: ${known.join(', ')})` : ' (the object has none)';
  return new RuntimeError(RuntimeErrorCode.NOT_FOUND, `no ${what} named '${name}'${list}`);
}

/** Refuses, before anything is created, what cannot load: no type, or kernel symbols. */
function checkLoadable(plan: ProgramPlan): void {
  const spec = plan.spec;
  if (plan.type === undefined && spec.type === 0) {
    throw new RuntimeError(RuntimeErrorCode.BAD_OBJECT,
      `program '${spec.name}': section '${spec.section}' names no program type (give it one, or do not autoload it)`);
  }
  const ext = spec.references.find((r) => r.kind === 'kfunc' || r.kind === 'extern');
  if (ext && (ext.kind === 'kfunc' || ext.kind === 'extern')) {
    throw new RuntimeError(RuntimeErrorCode.UNRESOLVED_EXTERN,
      `program '${spec.name}' uses ${ext.kind === 'kfunc' ? 'kfunc' : 'kernel symbol'} '${ext.symbol}', which ebee cannot provide`, { pc: ext.pc });
  }
  try {
    programType(plan.type ?? spec.type);
  } catch (err) {
    throw new RuntimeError(RuntimeErrorCode.BAD_OBJECT,
      `program '${spec.name}' (section '${spec.section}'): ${(err as Error)?.message ?? err}; set its autoload to false to load the rest`, { cause: err });
  }
}

function targetOf(given: Btf | Uint8Array | undefined, plans: readonly ProgramPlan[]): Btf | undefined {
  const needing = plans.filter((p) => !p.spec.coreApplied).map((p) => p.spec.name);
  if (given === undefined) {
    if (needing.length) {
      throw new RuntimeError(RuntimeErrorCode.NO_TARGET_BTF,
        `program${needing.length > 1 ? 's' : ''} ${needing.join(', ')} ha${needing.length > 1 ? 've' : 's'} CO-RE relocations; `
        + 'give a target BTF to resolve them against (load option targetBtf, ebee run --btf)');
    }
    return undefined;
  }
  if (given instanceof Uint8Array) return parseBtf(given);
  return given;
}

/** BTF line info as the verifier's explanations quote it: `file:line: source` per pc. */
function lineInfoOf(lines: readonly LinkedLineInfo[]): ReadonlyMap<number, string> {
  return new Map(lines.map((l) => [l.pc, `${l.fileName}:${l.lineNum}: ${l.line.trim()}`]));
}

/** Whether bytes look like an ELF file (what `ebee run` and `loadProgram` tell objects by). */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}
