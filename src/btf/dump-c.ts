import type { Btf } from './btf.js';
import { BtfError, BtfErrorCode } from './errors.js';
import { BtfKind } from './kinds.js';
import type { BtfComposite, BtfEnum, BtfType } from './types.js';

export interface DumpCOptions {
  /** Dump only these types (and what they need); default every type, in id order. */
  rootIds?: readonly number[];
  /** Wrap in bpftool's `__VMLINUX_H__` guard and `preserve_access_index` pragma (default true). */
  header?: boolean;
  /**
   * Print `__attribute__((mode(byte)))` / `mode(word)` on enums whose size C would not
   * give them (1 byte; 8 bytes with values that fit in 32 bits), as libbpf 1.2+ does.
   * Default false, as Debian's bpftool 7.1 (libbpf 1.1) prints: its headers then lay
   * such enums out at 4 bytes.
   */
  enumModeAttributes?: boolean;
}

/**
 * C declarations for a BTF, as `bpftool btf dump file X format c` prints them (the
 * output of bpftool 7.x / libbpf 1.x is the reference the tests compare against):
 * declarations in dependency order, forward declarations where a pointer cycle needs
 * one, anonymous structs, unions and enums inline, bitfields, explicit padding
 * (`long: 64;`) where natural alignment would not reproduce the layout, and
 * `__attribute__((packed))` where the layout shows packing. Names that clash get a
 * `___N` suffix, in emission order. Functions, variables and sections are not printed.
 */
export function dumpBtfC(btf: Btf, options: DumpCOptions = {}): string {
  const d = new CDumper(btf, options.enumModeAttributes ?? false);
  const header = options.header ?? true;
  if (header) {
    d.out.push('#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n'
      + '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n');
  }
  if (options.rootIds) for (const id of options.rootIds) d.dumpType(id);
  else for (let id = 1; id < btf.types.length; id++) d.dumpType(id);
  if (header) d.out.push('#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n');
  return d.out.join('');
}

/** Ordering states: a type is placed in the emit queue once its dependencies are. */
const ORDERING = 1, ORDERED = 2;
/** Emission states: EMITTING marks a type whose definition is in progress (a cycle). */
const NOT_EMITTED = 0, EMITTING = 1, EMITTED = 2;
/** Deepest nesting of inline definitions and declarator chains before we call it a loop. */
const MAX_NESTING = 256;

/** The widest gap spelled out as padding; real layouts never come close. */
const MAX_PADDING_BITS = 1 << 20;

/** Padding types, widest first, with their widths in bits on a 64-bit target. */
const PADS: readonly [string, number][] = [['long', 64], ['int', 32], ['short', 16], ['char', 8]];

class CDumper {
  readonly out: string[] = [];
  private readonly order: Uint8Array;
  private readonly emit: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly referenced: Uint8Array;
  private readonly resolvedName: (string | undefined)[];
  /** How many times a name was taken, per namespace (tags, and identifiers). */
  private readonly tagNames = new Map<string, number>();
  private readonly identNames = new Map<string, number>();
  private queue: number[] = [];

  constructor(private readonly btf: Btf, private readonly enumModes: boolean) {
    const n = btf.types.length;
    this.order = new Uint8Array(n);
    this.emit = new Uint8Array(n);
    this.fwdEmitted = new Uint8Array(n);
    this.referenced = new Uint8Array(n);
    this.resolvedName = new Array(n);
    this.markReferenced();
  }

  private t(id: number): BtfType {
    return this.btf.typeById(id);
  }

  /** Which types are named by another (an anonymous enum nobody uses is still printed). */
  private markReferenced(): void {
    const mark = (id: number): void => {
      if (id < this.referenced.length) this.referenced[id] = 1;
    };
    for (const t of this.btf.types) {
      switch (t.kind) {
        case BtfKind.PTR: case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT:
        case BtfKind.TYPE_TAG: case BtfKind.FUNC: case BtfKind.VAR: case BtfKind.DECL_TAG:
          mark(t.type); break;
        case BtfKind.ARRAY: mark(t.indexType); mark(t.elemType); break;
        case BtfKind.STRUCT: case BtfKind.UNION: for (const m of t.members) mark(m.type); break;
        case BtfKind.FUNC_PROTO: mark(t.returnType); for (const p of t.params) mark(p.type); break;
        case BtfKind.DATASEC: for (const v of t.vars) mark(v.type); break;
        default: break;
      }
    }
  }

  dumpType(id: number): void {
    this.queue = [];
    this.orderType(id, false, 0);
    for (const q of this.queue) this.emitType(q, 0, 0);
  }

  /**
   * Topological ordering. Returns whether `id` is a "strong" dependency (its full
   * definition must come first) as opposed to one a forward declaration satisfies
   * (a named struct reached through a pointer).
   */
  private orderType(id: number, throughPtr: boolean, depth: number): boolean {
    if (depth > MAX_NESTING) throw this.loop(id);
    if (this.order[id] === ORDERED) return true;
    const t = this.t(id);
    if (this.order[id] === ORDERING) {
      if ((t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) && throughPtr && t.name !== '') return false;
      throw new BtfError(BtfErrorCode.LOOP, 'type cycle that no forward declaration can break', { typeId: id });
    }
    switch (t.kind) {
      case BtfKind.UNKN: case BtfKind.INT: case BtfKind.FLOAT:
        this.order[id] = ORDERED;
        return false;
      case BtfKind.PTR: {
        const strong = this.orderType(t.type, true, depth + 1);
        this.order[id] = ORDERED;
        return strong;
      }
      case BtfKind.ARRAY:
        return this.orderType(t.elemType, false, depth + 1);
      case BtfKind.STRUCT: case BtfKind.UNION:
        if (throughPtr && t.name !== '') return false;
        this.order[id] = ORDERING;
        for (const m of t.members) this.orderType(m.type, false, depth + 1);
        if (t.name !== '') this.queue.push(id);
        this.order[id] = ORDERED;
        return true;
      case BtfKind.ENUM: case BtfKind.ENUM64: case BtfKind.FWD:
        if (t.name !== '' || !this.referenced[id]) this.queue.push(id);
        this.order[id] = ORDERED;
        return true;
      case BtfKind.TYPEDEF: {
        const strong = this.orderType(t.type, throughPtr, depth + 1);
        if (throughPtr && !strong) return false;
        this.queue.push(id);
        this.order[id] = ORDERED;
        return true;
      }
      case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT: case BtfKind.TYPE_TAG:
        return this.orderType(t.type, throughPtr, depth + 1);
      case BtfKind.FUNC_PROTO: {
        let strong = this.orderType(t.returnType, throughPtr, depth + 1);
        for (const p of t.params) if (this.orderType(p.type, throughPtr, depth + 1)) strong = true;
        return strong;
      }
      default:
        this.order[id] = ORDERED;
        return false;
    }
  }

  /** Emits `id` and what it needs; `contId` is the named struct being defined around it (0 at top level). */
  private emitType(id: number, contId: number, depth: number): void {
    if (depth > MAX_NESTING) throw this.loop(id);
    if (this.emit[id] === EMITTED) return;
    const t = this.t(id);
    const topLevel = contId === 0;
    if (this.emit[id] === EMITTING) {
      // A cycle: a forward declaration breaks it, unless one was printed already.
      if (this.fwdEmitted[id]) return;
      if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) {
        if (id === contId || t.name === '') return;
        this.out.push(this.structFwd(t), ';\n\n');
        this.fwdEmitted[id] = 1;
      } else if (t.kind === BtfKind.TYPEDEF) {
        if (!this.builtinTypedef(t)) this.out.push(this.typedefDef(t, 0), ';\n\n');
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    switch (t.kind) {
      case BtfKind.INT:
        this.emit[id] = EMITTED;
        break;
      case BtfKind.ENUM: case BtfKind.ENUM64:
        if (topLevel) this.out.push(this.enumDef(t, 0), ';\n\n');
        this.emit[id] = EMITTED;
        break;
      case BtfKind.PTR: case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT: case BtfKind.TYPE_TAG:
        this.emitType(t.type, contId, depth + 1);
        break;
      case BtfKind.ARRAY:
        this.emitType(t.elemType, contId, depth + 1);
        break;
      case BtfKind.FWD:
        this.out.push(this.fwdDef(t), ';\n\n');
        this.emit[id] = EMITTED;
        break;
      case BtfKind.TYPEDEF:
        this.emit[id] = EMITTING;
        this.emitType(t.type, id, depth + 1);
        if (!this.fwdEmitted[id] && !this.builtinTypedef(t)) this.out.push(this.typedefDef(t, 0), ';\n\n');
        this.emit[id] = EMITTED;
        break;
      case BtfKind.STRUCT: case BtfKind.UNION:
        this.emit[id] = EMITTING;
        // A definition spells out its members' types, so they need their declarations.
        if (topLevel || t.name === '') {
          const inner = t.name === '' ? contId : id;
          for (const m of t.members) this.emitType(m.type, inner, depth + 1);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.out.push(this.structFwd(t), ';\n\n');
          this.fwdEmitted[id] = 1;
        }
        if (topLevel) {
          this.out.push(this.structDef(t, 0), ';\n\n');
          this.emit[id] = EMITTED;
        } else {
          this.emit[id] = NOT_EMITTED;
        }
        break;
      case BtfKind.FUNC_PROTO:
        this.emitType(t.returnType, contId, depth + 1);
        for (const p of t.params) this.emitType(p.type, contId, depth + 1);
        break;
      default:
        break;
    }
  }

  private loop(id: number): BtfError {
    return new BtfError(BtfErrorCode.LOOP, `type nesting deeper than ${MAX_NESTING} (a loop?)`, { typeId: id });
  }

  /** `__builtin_va_list` is the compiler's own: redefining it breaks compilation. */
  private builtinTypedef(t: BtfType): boolean {
    return t.name === '__builtin_va_list';
  }

  /** The name a type prints under: the first type to take a name keeps it, later ones get `___N`. */
  private resolveName(t: BtfType, names: Map<string, number>): string {
    if (t.name === '') return '';
    const known = this.resolvedName[t.id];
    if (known !== undefined) return known;
    let name = t.name;
    // Forward declarations and empty enums may repeat a name legitimately.
    if (!(t.kind === BtfKind.FWD || (t.kind === BtfKind.ENUM && t.values.length === 0))) {
      const n = this.takeName(names, t.name);
      if (n > 1) name = `${t.name}___${n}`;
    }
    this.resolvedName[t.id] = name;
    return name;
  }

  private takeName(names: Map<string, number>, name: string): number {
    const n = (names.get(name) ?? 0) + 1;
    names.set(name, n);
    return n;
  }

  private typeName(t: BtfType): string {
    return this.resolveName(t, this.tagNames);
  }

  private identName(t: BtfType): string {
    return this.resolveName(t, this.identNames);
  }

  private structFwd(t: BtfComposite): string {
    const name = this.typeName(t);
    return `${t.kind === BtfKind.STRUCT ? 'struct' : 'union'}${name ? ' ' : ''}${name}`;
  }

  private fwdDef(t: BtfType): string {
    return `${t.kindFlag ? 'union' : 'struct'} ${this.typeName(t)}`;
  }

  private typedefDef(t: BtfType & { type: number }, lvl: number): string {
    const name = this.identName(t);
    // Old GCC describes __gnuc_va_list as a typedef of void.
    if (t.type === 0 && name === '__gnuc_va_list') return 'typedef __builtin_va_list __gnuc_va_list';
    return 'typedef ' + this.typeDecl(t.type, name, lvl, 0);
  }

  private enumDef(t: BtfEnum, lvl: number): string {
    const name = this.typeName(t);
    let s = `enum${name ? ' ' : ''}${name}`;
    if (t.values.length === 0) return s;
    s += ' {';
    const suffix = t.kind === BtfKind.ENUM64 ? (t.kindFlag ? 'LL' : 'ULL') : '';
    for (const v of t.values) {
      // Enumerators share the identifier namespace with typedefs.
      const n = this.takeName(this.identNames, v.name);
      const value = t.kind === BtfKind.ENUM ? BigInt(t.kindFlag ? BigInt.asIntN(32, v.value) : BigInt.asUintN(32, v.value)) : v.value;
      s += `\n${pfx(lvl + 1)}${n > 1 ? `${v.name}___${n}` : v.name} = ${value}${suffix},`;
    }
    s += `\n${pfx(lvl)}}`;
    if (!this.enumModes) return s;
    if (t.size === 1) {
      s += ' __attribute__((mode(byte)))';
    } else if (t.size === 8 && this.btf.pointerSize === 8) {
      // A 32-bit enum, or a 64-bit one whose values all fit in 32 bits, is only 8 bytes wide by request.
      const wide = t.kind === BtfKind.ENUM64 && t.values.some((v) => BigInt.asUintN(64, v.value) >> 32n !== 0n);
      if (!wide) s += ' __attribute__((mode(word)))';
    }
    return s;
  }

  private structDef(t: BtfComposite, lvl: number): string {
    if (lvl > MAX_NESTING) throw this.loop(t.id);
    const isStruct = t.kind === BtfKind.STRUCT;
    const align = this.btf.alignof(t.id);
    const packed = isStruct && this.isPacked(t);
    const name = this.typeName(t);
    let s = `${isStruct ? 'struct' : 'union'}${name ? ' ' : ''}${name} {`;
    let off = 0;
    let prevBitfield = false;
    for (const m of t.members) {
      const mAlign = packed ? 1 : this.btf.alignof(m.type);
      s += this.padding(off, m.bitOffset, mAlign, prevBitfield && m.bitfieldSize !== 0, lvl + 1);
      s += `\n${pfx(lvl + 1)}${this.typeDecl(m.type, m.name, lvl + 1, 0)}`;
      if (m.bitfieldSize) {
        s += `: ${m.bitfieldSize}`;
        off = m.bitOffset + m.bitfieldSize;
        prevBitfield = true;
      } else {
        off = m.bitOffset + this.sizeOrZero(m.type) * 8;
        prevBitfield = false;
      }
      s += ';';
    }
    if (isStruct) s += this.padding(off, t.size * 8, align, false, lvl + 1);
    s += t.members.length || t.size ? `\n${pfx(lvl)}}` : '}';
    if (packed) s += ' __attribute__((packed))';
    return s;
  }

  private sizeOrZero(id: number): number {
    try {
      return this.btf.sizeof(id);
    } catch (err) {
      if (err instanceof BtfError && err.code === BtfErrorCode.NO_SIZE) return 0;
      throw err;
    }
  }

  /** A struct is packed when a non-bitfield member sits off its natural alignment, or its size is not a multiple of it. */
  private isPacked(t: BtfComposite): boolean {
    let max = 1;
    for (const m of t.members) {
      const a = this.btf.alignof(m.type);
      if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return true;
      if (a > max) max = a;
    }
    return t.size % max !== 0;
  }

  /**
   * Explicit padding from bit `cur` to bit `next`: first, if natural alignment would
   * not land on `next` by itself, an anonymous bitfield that forces the boundary;
   * then `long: 64;`-style fillers, the last one the smallest type that covers the rest.
   */
  private padding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): string {
    if (cur >= next) return '';
    if (next - cur > MAX_PADDING_BITS) {
      throw new BtfError(BtfErrorCode.MALFORMED, `a ${(next - cur) / 8}-byte gap between members (a corrupt offset or size?)`);
    }
    let s = '';
    let padName = 'char', padBits = 8, aligned = cur;
    for ([padName, padBits] of PADS) {
      aligned = roundUp(cur, padBits);
      if (aligned <= next) break;
    }
    if (aligned > cur && aligned <= next) {
      const needMark = inBitfield
        || (aligned === next && roundUp(cur, nextAlign * 8) !== aligned)
        || (aligned !== next && next - aligned <= aligned - cur);
      if (needMark) s += `\n${pfx(lvl)}${padName}: ${inBitfield ? aligned - cur : 0};`;
      cur = aligned;
    }
    while (cur !== next) {
      const bits = Math.min(next - cur, padBits);
      if (bits === padBits) {
        s += `\n${pfx(lvl)}${padName}: ${padBits};`;
        cur += bits;
        continue;
      }
      for (let i = PADS.length - 1; i >= 0; i--) {
        const [name, width] = PADS[i]!;
        if (width < bits) continue;
        s += `\n${pfx(lvl)}${name}: ${bits};`;
        cur += bits;
        break;
      }
    }
    return s;
  }

  /**
   * A C declarator: `int *x`, `char (*f)(int)`, `struct { ... } y[4]`. Walks from the
   * declared thing down to its base type collecting the chain, then prints it inside
   * out (`typeChain`).
   */
  private typeDecl(id: number, fname: string, lvl: number, depth: number): string {
    if (depth > MAX_NESTING) throw this.loop(id);
    const chain: number[] = [];
    for (let n = 0; ; n++) {
      if (n > MAX_NESTING) throw this.loop(id);
      chain.push(id);
      const t = this.t(id);
      if (t.kind === BtfKind.PTR || t.kind === BtfKind.VOLATILE || t.kind === BtfKind.CONST || t.kind === BtfKind.RESTRICT
        || t.kind === BtfKind.TYPE_TAG) id = t.type;
      else if (t.kind === BtfKind.FUNC_PROTO) id = t.returnType;
      else if (t.kind === BtfKind.ARRAY) id = t.elemType;
      else break;
    }
    return this.typeChain(chain, fname, lvl, depth);
  }

  /** Prints `chain` (outermost declarator first, base type last), consuming it from the end. */
  private typeChain(chain: number[], fname: string, lvl: number, depth: number): string {
    if (depth > MAX_NESTING) throw this.loop(chain[0] ?? 0);
    let s = '';
    let lastWasPtr = true;
    const name = (): string => (fname && !lastWasPtr ? ' ' : '') + fname;
    while (chain.length) {
      const id = chain.pop()!;
      if (id === 0) {
        s += this.mods(chain) + 'void';
        lastWasPtr = false;
        continue;
      }
      const t = this.t(id);
      switch (t.kind) {
        case BtfKind.INT: case BtfKind.FLOAT:
          s += this.mods(chain) + t.name;
          break;
        case BtfKind.STRUCT: case BtfKind.UNION:
          s += this.mods(chain) + (t.name === '' ? this.structDef(t, lvl) : this.structFwd(t));
          break;
        case BtfKind.ENUM: case BtfKind.ENUM64:
          s += this.mods(chain) + (t.name === '' ? this.enumDef(t, lvl) : `enum ${this.typeName(t)}`);
          break;
        case BtfKind.FWD:
          s += this.mods(chain) + this.fwdDef(t);
          break;
        case BtfKind.TYPEDEF:
          s += this.mods(chain) + this.identName(t);
          break;
        case BtfKind.PTR:
          s += lastWasPtr ? '*' : ' *';
          break;
        case BtfKind.VOLATILE: s += ' volatile'; break;
        case BtfKind.CONST: s += ' const'; break;
        case BtfKind.RESTRICT: s += ' restrict'; break;
        case BtfKind.TYPE_TAG:
          s += this.mods(chain) + ` __attribute__((btf_type_tag("${t.name}")))`;
          break;
        case BtfKind.ARRAY: {
          // Qualifiers on an array itself mean nothing in C (GCC emits them anyway).
          dropMods(this.btf, chain);
          if (chain.length === 0) return s + name() + `[${t.nelems}]`;
          const multidim = this.t(chain[chain.length - 1]!).kind === BtfKind.ARRAY;
          if (fname && !lastWasPtr) s += ' ';
          const inner = this.typeChain(chain, fname, lvl, depth + 1);
          return s + (multidim ? inner : `(${inner})`) + `[${t.nelems}]`;
        }
        case BtfKind.FUNC_PROTO: {
          dropMods(this.btf, chain);
          s += chain.length ? ` (${this.typeChain(chain, fname, lvl, depth + 1)})` : name();
          const ps = t.params;
          if (ps.length === 0 || (ps.length === 1 && ps[0]!.type === 0)) return s + '(void)';
          s += '(';
          for (let i = 0; i < ps.length; i++) {
            if (i > 0) s += ', ';
            if (i === ps.length - 1 && ps[i]!.type === 0) {
              s += '...';
              break;
            }
            s += this.typeDecl(ps[i]!.type, ps[i]!.name, lvl, depth + 1);
          }
          return s + ')';
        }
        default:
          return s;
      }
      lastWasPtr = t.kind === BtfKind.PTR;
    }
    return s + name();
  }

  /** Leading qualifiers (`const volatile `) taken from the end of the chain. */
  private mods(chain: number[]): string {
    let s = '';
    while (chain.length) {
      const k = this.t(chain[chain.length - 1]!).kind;
      if (k === BtfKind.VOLATILE) s += 'volatile ';
      else if (k === BtfKind.CONST) s += 'const ';
      else if (k === BtfKind.RESTRICT) s += 'restrict ';
      else break;
      chain.pop();
    }
    return s;
  }
}

function dropMods(btf: Btf, chain: number[]): void {
  while (chain.length) {
    const k = btf.typeById(chain[chain.length - 1]!).kind;
    if (k !== BtfKind.VOLATILE && k !== BtfKind.CONST && k !== BtfKind.RESTRICT && k !== BtfKind.TYPE_TAG) return;
    chain.pop();
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/** Indentation: one tab per level. */
function pfx(lvl: number): string {
  return '\t'.repeat(lvl);
}
