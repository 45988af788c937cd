/**
 * Splits a module into the parts `printWat` prints, for the subset `ModuleBuilder`
 * emits (plus a defined memory and global imports, which cost nothing to read).
 * Function bodies are kept as byte ranges and decoded instruction by instruction
 * by the printer. Anything else is refused with a typed error rather than guessed at.
 */
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import { isValType, Op, type ValTypeValue } from './opcodes.js';
import { Reader } from './reader.js';

export interface FuncType { params: ValTypeValue[]; results: ValTypeValue[] }
export interface Limits { minimum: number; maximum: number | undefined; shared: boolean }
export interface GlobalType { type: ValTypeValue; mutable: boolean }
export type Import =
  | { module: string; name: string; kind: 'func'; type: number }
  | { module: string; name: string; kind: 'memory'; limits: Limits }
  | { module: string; name: string; kind: 'global'; global: GlobalType };
export interface Global extends GlobalType { init: Reader }
export interface Export { name: string; kind: 'func' | 'memory' | 'global'; index: number }
export interface Body { locals: [number, ValTypeValue][]; code: Reader }

export interface DecodedModule {
  types: FuncType[];
  imports: Import[];
  /** Type index of each defined function. */
  functions: number[];
  memories: Limits[];
  globals: Global[];
  exports: Export[];
  bodies: Body[];
  moduleName: string | undefined;
  functionNames: Map<number, string>;
  localNames: Map<number, Map<number, string>>;
  /** Custom sections other than `name`: name and size, printed as comments. */
  customs: { name: string; size: number }[];
}

const SECTION_NAMES: Record<number, string> = { 4: 'table', 8: 'start', 9: 'element', 11: 'data', 12: 'data count', 13: 'tag' };
const EXPORT_KINDS = ['func', 'table', 'memory', 'global'] as const;

function unsupported(what: string): never {
  throw new WasmEncodeError(WasmErrorCode.UNSUPPORTED, `printWat does not read ${what}`);
}

function valType(r: Reader): ValTypeValue {
  const at = r.pos;
  const t = r.u8();
  if (!isValType(t)) r.fail(`0x${t.toString(16)} is not a value type`, at);
  return t;
}

function vec<T>(r: Reader, item: (r: Reader) => T): T[] {
  const n = r.u32();
  // Each item takes at least one byte: a count larger than what is left is malformed,
  // and checking it first keeps a forged count from allocating a huge array.
  if (n > r.end - r.pos) r.fail(`vector of ${n} items in ${r.end - r.pos} bytes`);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item(r));
  return out;
}

function limits(r: Reader): Limits {
  const at = r.pos;
  const flags = r.u8();
  if (flags > 3) r.fail(`limits flags 0x${flags.toString(16)} are not supported`, at);
  const minimum = r.u32();
  const maximum = flags & 1 ? r.u32() : undefined;
  return { minimum, maximum, shared: (flags & 2) !== 0 };
}

function globalType(r: Reader): GlobalType {
  const type = valType(r);
  const at = r.pos;
  const m = r.u8();
  if (m > 1) r.fail(`mutability 0x${m.toString(16)}`, at);
  return { type, mutable: m === 1 };
}

function nameMap(r: Reader): Map<number, string> {
  const map = new Map<number, string>();
  for (const [index, name] of vec(r, (s) => [s.u32(), s.name()] as const)) map.set(index, name);
  return map;
}

function nameSection(r: Reader, m: DecodedModule): void {
  while (!r.atEnd) {
    const id = r.u8();
    const sub = r.sub(r.u32());
    if (id === 0) m.moduleName = sub.name();
    else if (id === 1) m.functionNames = nameMap(sub);
    else if (id === 2) {
      for (const [f, map] of vec(sub, (s) => [s.u32(), nameMap(s)] as const)) m.localNames.set(f, map);
    } else continue; // other subsections (labels, types...) add nothing printWat shows
    sub.expectEnd(`name subsection ${id}`);
  }
}

/** Decodes the sections of `bytes`; bodies and global initialisers stay undecoded. */
export function decodeModule(bytes: Uint8Array): DecodedModule {
  const r = new Reader(bytes);
  const head = r.take(8);
  if (head[0] !== 0x00 || head[1] !== 0x61 || head[2] !== 0x73 || head[3] !== 0x6d) r.fail('not a wasm module (bad magic)', 0);
  if (head[4] !== 1 || head[5] !== 0 || head[6] !== 0 || head[7] !== 0) r.fail('unsupported binary version', 4);
  const m: DecodedModule = {
    types: [], imports: [], functions: [], memories: [], globals: [], exports: [], bodies: [],
    moduleName: undefined, functionNames: new Map(), localNames: new Map(), customs: [],
  };
  while (!r.atEnd) {
    const id = r.u8();
    const s = r.sub(r.u32());
    switch (id) {
      case 0: {
        const name = s.name();
        if (name === 'name') nameSection(s, m);
        else m.customs.push({ name, size: s.end - s.pos });
        s.pos = s.end;
        break;
      }
      case 1:
        m.types = vec(s, (t) => {
          if (t.u8() !== 0x60) t.fail('expected a function type (0x60)', t.pos - 1);
          return { params: vec(t, valType), results: vec(t, valType) };
        });
        break;
      case 2:
        m.imports = vec(s, (t): Import => {
          const module = t.name();
          const name = t.name();
          const kind = t.u8();
          if (kind === 0) return { module, name, kind: 'func', type: t.u32() };
          if (kind === 2) return { module, name, kind: 'memory', limits: limits(t) };
          if (kind === 3) return { module, name, kind: 'global', global: globalType(t) };
          if (kind === 1) unsupported('table imports');
          return t.fail(`import kind 0x${kind.toString(16)}`, t.pos - 1);
        });
        break;
      case 3: m.functions = vec(s, (t) => t.u32()); break;
      case 5: m.memories = vec(s, limits); break;
      case 6:
        m.globals = vec(s, (t) => {
          const g = globalType(t);
          // ModuleBuilder's initialisers are one constant and `end`; the printer gets
          // a reader over just the constant, to print it like any instruction.
          const start = t.pos;
          const op = t.u8();
          if (op === Op.I32_CONST) t.s32();
          else if (op === Op.I64_CONST) t.s64();
          else if (op === Op.F32_CONST) t.take(4);
          else if (op === Op.F64_CONST) t.take(8);
          else if (op === Op.GLOBAL_GET) t.u32();
          else unsupported(`global initialiser opcode 0x${op.toString(16)}`);
          if (t.u8() !== Op.END) t.fail('global initialiser is not a single constant', start);
          return { ...g, init: new Reader(t.bytes, start, t.pos - 1) };
        });
        break;
      case 7:
        m.exports = vec(s, (t) => {
          const name = t.name();
          const kind = t.u8();
          const k = EXPORT_KINDS[kind];
          if (k === undefined) t.fail(`export kind 0x${kind.toString(16)}`, t.pos - 1);
          if (k === 'table') unsupported('table exports');
          return { name, kind: k, index: t.u32() };
        });
        break;
      case 10:
        m.bodies = vec(s, (t) => {
          const b = t.sub(t.u32());
          const locals = vec(b, (l) => [l.u32(), valType(l)] as [number, ValTypeValue]);
          return { locals, code: new Reader(b.bytes, b.pos, b.end) };
        });
        break;
      default:
        if (SECTION_NAMES[id]) unsupported(`the ${SECTION_NAMES[id]} section`);
        r.fail(`unknown section id ${id}`, s.pos);
    }
    s.expectEnd(`section ${id}`);
  }
  if (m.functions.length !== m.bodies.length) {
    r.fail(`${m.functions.length} function(s) declared but ${m.bodies.length} bodies`);
  }
  return m;
}
