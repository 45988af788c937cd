/**
 * `printWat`: a disassembler from the binary back to the WebAssembly text format, for
 * golden tests of JIT output and for people reading what the JIT made. It prints the
 * flat (not folded) form, one instruction a line, indented by nesting, as `wasm2wat`
 * does: flat text maps one-to-one onto the bytes, so a golden diff points at the
 * exact instruction that changed. Labels are numbered by nesting (`block ;; label = @2`)
 * and every branch names its target (`br_if 1 (;@1;)`), so nobody counts by hand.
 *
 * Output depends only on the bytes: no addresses, no locale, no map iteration order.
 * Names come from the `name` section when they are valid, unique text identifiers;
 * otherwise the index is printed.
 */
import { decodeModule, type DecodedModule, type FuncType, type Limits } from './decode.js';
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import { BlockType, Op, Prefix, valTypeName } from './opcodes.js';
import { atomicOpInfo, miscOpInfo, opInfo, type OpInfo } from './opinfo.js';
import type { Reader } from './reader.js';

/** Characters the text format allows in an `$identifier` (spec 6.3.5). */
const ID_CHAR = /^[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+$/;

/** `$name` for names that are valid identifiers and unique among `names`; others are dropped. */
function identifiers(names: ReadonlyMap<number, string> | undefined): Map<number, string> {
  const out = new Map<number, string>();
  if (!names) return out;
  const seen = new Map<string, number>();
  for (const n of names.values()) seen.set(n, (seen.get(n) ?? 0) + 1);
  for (const [i, n] of names) if (ID_CHAR.test(n) && seen.get(n) === 1) out.set(i, `$${n}`);
  return out;
}

function quote(s: string): string {
  // Text-format strings: printable ASCII as is, everything else as \hh escapes of UTF-8.
  let out = '"';
  for (const b of new TextEncoder().encode(s)) {
    out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}

const types = (ts: readonly number[]): string => ts.map((t) => valTypeName(t)).join(' ');

function signature(t: FuncType | undefined, paramNames?: Map<number, string>): string {
  if (!t) return '';
  let out = '';
  let run: number[] = [];
  const flush = (): void => { if (run.length) out += ` (param ${types(run)})`; run = []; };
  t.params.forEach((p, i) => {
    const id = paramNames?.get(i);
    if (id) { flush(); out += ` (param ${id} ${valTypeName(p)})`; } else run.push(p);
  });
  flush();
  return out + (t.results.length ? ` (result ${types(t.results)})` : '');
}

function limitsText(l: Limits): string {
  return `${l.minimum}${l.maximum === undefined ? '' : ` ${l.maximum}`}${l.shared ? ' shared' : ''}`;
}

/** A float in text syntax: shortest round-trip decimal, or inf / nan with its payload. */
function floatText(bits: bigint, width: 32 | 64): string {
  const mantBits = width === 32 ? 23n : 52n;
  const expMask = width === 32 ? 0xffn : 0x7ffn;
  const sign = (bits >> BigInt(width - 1)) & 1n ? '-' : '';
  const exp = (bits >> mantBits) & expMask;
  const mant = bits & ((1n << mantBits) - 1n);
  if (exp === expMask) {
    if (mant === 0n) return `${sign}inf`;
    return mant === 1n << (mantBits - 1n) ? `${sign}nan` : `${sign}nan:0x${mant.toString(16)}`;
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits, true);
  const v = width === 32 ? view.getFloat32(0, true) : view.getFloat64(0, true);
  return Object.is(v, -0) ? '-0' : String(v);
}

function littleEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

/** Per-function context for naming operands. */
interface Names { funcs: Map<number, string>; locals: Map<number, string> }

/** ` offset=8 align=2`: both omitted at their defaults (0, natural), as the text format does. */
function memarg(r: Reader, info: OpInfo): string {
  const align = r.u32();
  const offset = r.u32();
  return `${offset ? ` offset=${offset}` : ''}${align !== info.alignLog2 ? ` align=${2 ** Math.min(align, 31)}` : ''}`;
}

function zeroByte(r: Reader, name: string): void {
  const at = r.pos;
  if (r.u8() !== 0) r.fail(`${name}: reserved byte must be zero`, at);
}

/**
 * Prints the instruction at `r`, returning its text and its effect on nesting:
 * +1 opens a label, -1 closes one, 0 neither ('else' is reported as 'else').
 */
function instruction(r: Reader, depth: number, names: Names): { text: string; nest: 1 | 0 | -1 | 'else' } {
  const at = r.pos;
  const byte = r.u8();
  const label = (): string => {
    const d = r.u32();
    if (d > depth) r.fail(`branch depth ${d} exceeds nesting ${depth}`, at);
    return `${d} (;@${depth - d};)`;
  };
  if (byte === Prefix.ATOMIC || byte === Prefix.MISC) {
    const sub = r.u32();
    const info = byte === Prefix.ATOMIC ? atomicOpInfo(sub) : miscOpInfo(sub);
    if (!info) return unsupported(`prefixed opcode 0x${byte.toString(16)} ${sub}`, at);
    if (info.immediate === 'memarg') return { text: info.name + memarg(r, info), nest: 0 };
    if (info.immediate === 'zero' || info.immediate === 'zero2') zeroByte(r, info.name);
    if (info.immediate === 'zero2') zeroByte(r, info.name);
    return { text: info.name, nest: 0 };
  }
  const info = opInfo(byte);
  if (!info) return unsupported(`opcode 0x${byte.toString(16)}`, at);
  const { name } = info;
  switch (info.immediate) {
    case 'none':
      return { text: name, nest: byte === Op.END ? -1 : byte === Op.ELSE ? 'else' : 0 };
    case 'blocktype': {
      const bt = r.u8();
      if (bt !== BlockType.EMPTY && !valTypeName(bt)) return unsupported(`block type 0x${bt.toString(16)}`, at + 1);
      const result = bt === BlockType.EMPTY ? '' : ` (result ${valTypeName(bt)})`;
      return { text: `${name}${result}  ;; label = @${depth + 1}`, nest: 1 };
    }
    case 'label': return { text: `${name} ${label()}`, nest: 0 };
    case 'br_table': {
      const n = r.u32();
      if (n > r.end - r.pos) r.fail(`br_table of ${n} labels`, at);
      const labels: string[] = [];
      for (let i = 0; i <= n; i++) labels.push(label());
      return { text: `${name} ${labels.join(' ')}`, nest: 0 };
    }
    case 'func': {
      const f = r.u32();
      return { text: `${name} ${names.funcs.get(f) ?? f}`, nest: 0 };
    }
    case 'call_indirect': {
      const type = r.u32();
      const table = r.u32();
      return { text: `${name}${table ? ` ${table}` : ''} (type ${type})`, nest: 0 };
    }
    case 'local': {
      const l = r.u32();
      return { text: `${name} ${names.locals.get(l) ?? l}`, nest: 0 };
    }
    case 'global': return { text: `${name} ${r.u32()}`, nest: 0 };
    case 'memarg': return { text: name + memarg(r, info), nest: 0 };
    case 'zero': zeroByte(r, name); return { text: name, nest: 0 };
    case 'i32': return { text: `${name} ${r.s32()}`, nest: 0 };
    case 'i64': return { text: `${name} ${r.s64()}`, nest: 0 };
    case 'f32': return { text: `${name} ${floatText(littleEndian(r.take(4)), 32)}`, nest: 0 };
    case 'f64': return { text: `${name} ${floatText(littleEndian(r.take(8)), 64)}`, nest: 0 };
    default: return unsupported(`immediate kind ${info.immediate}`, at);
  }
}

function unsupported(what: string, at: number): never {
  throw new WasmEncodeError(WasmErrorCode.UNSUPPORTED, `offset ${at}: printWat does not read ${what}`);
}

/**
 * Indentation stops growing past this many levels: the label comments still tell the
 * nesting, and without a cap output would grow with the square of the nesting depth.
 */
const MAX_INDENT = 40;

/** The body's instructions, indented; the function's own final `end` is implied by `)`. */
function body(r: Reader, names: Names, indent: string, lines: string[]): void {
  // One entry per open label: true once its `if` has seen `else`.
  const open: boolean[] = [];
  for (;;) {
    if (r.atEnd) r.fail('function body ends without end');
    const at = r.pos;
    const { text, nest } = instruction(r, open.length, names);
    if (nest === -1) {
      if (open.length === 0) break;
      open.pop();
    } else if (nest === 'else') {
      if (open.length === 0 || open[open.length - 1]) r.fail('else without an open if', at);
      open[open.length - 1] = true;
    }
    const level = nest === 'else' ? open.length - 1 : open.length;
    lines.push(indent + '  '.repeat(Math.min(level, MAX_INDENT)) + text);
    if (nest === 1) open.push(text.startsWith('if') ? false : true);
  }
  r.expectEnd('function body');
}

/** The text format of `bytes`, for the subset of modules `ModuleBuilder` emits. */
export function printWat(bytes: Uint8Array): string {
  const m: DecodedModule = decodeModule(bytes);
  const funcIds = identifiers(m.functionNames);
  const lines: string[] = [m.moduleName !== undefined && ID_CHAR.test(m.moduleName) ? `(module $${m.moduleName}` : '(module'];
  const typeOf = (t: number): FuncType => {
    const ft = m.types[t];
    if (!ft) throw new WasmEncodeError(WasmErrorCode.MALFORMED, `type index ${t} does not exist (${m.types.length} types)`);
    return ft;
  };
  const noNames: Names = { funcs: funcIds, locals: new Map() };

  m.types.forEach((t, i) => lines.push(`  (type (;${i};) (func${signature(t)}))`));
  let funcIndex = 0;
  let memIndex = 0;
  let globalIndex = 0;
  for (const imp of m.imports) {
    const where = `  (import ${quote(imp.module)} ${quote(imp.name)}`;
    if (imp.kind === 'func') {
      const id = funcIds.get(funcIndex);
      lines.push(`${where} (func ${id ? `${id} ` : ''}(;${funcIndex++};) (type ${imp.type})${signature(typeOf(imp.type))}))`);
    } else if (imp.kind === 'memory') {
      lines.push(`${where} (memory (;${memIndex++};) ${limitsText(imp.limits)}))`);
    } else {
      const t = valTypeName(imp.global.type)!;
      lines.push(`${where} (global (;${globalIndex++};) ${imp.global.mutable ? `(mut ${t})` : t}))`);
    }
  }

  m.functions.forEach((type, i) => {
    const index = funcIndex + i;
    const ft = typeOf(type);
    const localIds = identifiers(m.localNames.get(index));
    const id = funcIds.get(index);
    lines.push(`  (func ${id ? `${id} ` : ''}(;${index};) (type ${type})${signature(ft, localIds)}`);
    const { locals, code } = m.bodies[i]!;
    let next = ft.params.length;
    const decl: string[] = [];
    let run: number[] = [];
    const flush = (): void => { if (run.length) decl.push(`(local ${types(run)})`); run = []; };
    for (const [count, t] of locals) {
      if (count > 50000 || next + count > 50000) code.fail(`${next + count} locals is more than engines accept`);
      for (let k = 0; k < count; k++, next++) {
        const lid = localIds.get(next);
        if (lid) { flush(); decl.push(`(local ${lid} ${valTypeName(t)})`); } else run.push(t);
      }
    }
    flush();
    if (decl.length) lines.push(`    ${decl.join(' ')}`);
    body(code, { funcs: funcIds, locals: localIds }, '    ', lines);
    lines[lines.length - 1] += ')';
  });

  m.memories.forEach((l) => lines.push(`  (memory (;${memIndex++};) ${limitsText(l)})`));
  for (const g of m.globals) {
    const t = valTypeName(g.type)!;
    const init = instruction(g.init, 0, noNames).text;
    lines.push(`  (global (;${globalIndex++};) ${g.mutable ? `(mut ${t})` : t} (${init}))`);
  }
  for (const e of m.exports) {
    const ref = e.kind === 'func' ? (funcIds.get(e.index) ?? e.index) : e.index;
    lines.push(`  (export ${quote(e.name)} (${e.kind} ${ref}))`);
  }
  // A block comment, not `;;`: the module's closing paren may follow on the same line.
  for (const c of m.customs) lines.push(`  (; custom section ${quote(c.name)}, ${c.size} bytes ;)`);
  lines[lines.length - 1] += ')';
  return lines.join('\n') + '\n';
}
