/**
 * A builder DSL for writing programs in code, mostly in tests:
 *
 * ```ts
 * const insns = program()
 *   .mov64(R0, 0)
 *   .label('loop')
 *   .add64(R0, R1)          // a Register operand picks the register form,
 *   .jlt(R0, 10, 'loop')    // a number the immediate form; a string target is a label
 *   .exit()
 *   .build();
 * ```
 *
 * Registers are `Register` objects rather than numbers precisely so that the operand's
 * type chooses between `add r0, r1` and `add r0, 1`. Method names follow the ISA table
 * (`ldxw`, `stxdw`, `jsgt32`, `movsx64`, ...) with the width always spelled out for
 * arithmetic (`add64`, `add32`). Values are range-checked when the method is called,
 * and labels and map names are resolved by the same `link` as the text assemblers, so
 * errors carry the same codes. A builder error's location names `<builder>` and, as
 * its line, the 1-based position of the instruction in the program.
 */
import {
  INSTRUCTION_FORMS, LDDW_OPCODE, LddwSrc, insn, lddw, type Instruction, type InsnForm,
} from '../isa/index.js';
import type { SourceLocation } from '../errors.js';
import { AsmError, AsmErrorCode, type AsmErrorCodeValue } from './errors.js';
import { defineLabel, link, type AsmItem, type LabelDef, type LinkOptions, type LinkedProgram, type ParsedProgram } from './link.js';

/** A register operand, r0-r10. */
export class Register {
  private constructor(readonly num: number) {}
  /** @internal The eleven registers; use `R0`..`R10` or `reg(n)`. */
  static readonly all: readonly Register[] = Object.freeze(Array.from({ length: 11 }, (_, n) => new Register(n)));
  toString(): string {
    return `r${this.num}`;
  }
}

export const R0 = Register.all[0]!;
export const R1 = Register.all[1]!;
export const R2 = Register.all[2]!;
export const R3 = Register.all[3]!;
export const R4 = Register.all[4]!;
export const R5 = Register.all[5]!;
export const R6 = Register.all[6]!;
export const R7 = Register.all[7]!;
export const R8 = Register.all[8]!;
export const R9 = Register.all[9]!;
/** The read-only frame pointer. */
export const R10 = Register.all[10]!;
/** Alias of `R10`. */
export const FP = R10;

/** The register numbered `n` (0-10). */
export function reg(n: number): Register {
  const r = Register.all[n];
  if (r === undefined || !Number.isInteger(n)) {
    // Not tied to any instruction, hence line 0.
    throw new AsmError(AsmErrorCode.BAD_OPERAND, `register r${n} does not exist (r0-r10)`, { line: 0, column: 0, file: '<builder>' });
  }
  return r;
}

/** The second operand of arithmetic and conditional jumps: a register or a 32-bit immediate. */
export type Operand = Register | number;
/** A jump or call target: a label name, or a relative distance in slots. */
export type Target = string | number;

const formsByName = new Map<string, InsnForm[]>();
for (const f of INSTRUCTION_FORMS) formsByName.set(f.name, [...(formsByName.get(f.name) ?? []), f]);

/** Builds a program instruction by instruction; see the module comment. */
export class ProgramBuilder {
  private readonly items: AsmItem[] = [];
  private readonly labels = new Map<string, LabelDef>();

  // ---- structure ------------------------------------------------------------------

  /** Names the next instruction (or the end of the program). */
  label(name: string): this {
    defineLabel(this.labels, name, this.items.length, this.here());
    return this;
  }

  /** Appends an instruction record as is (no checks): an escape hatch for odd encodings. */
  raw(instruction: Instruction): this {
    this.items.push({ insn: instruction, location: this.here() });
    return this;
  }

  /** The unlinked program, for callers that link with their own options. */
  parsed(): ParsedProgram {
    return { items: [...this.items], labels: new Map(this.labels) };
  }

  /** Resolves labels and map names. */
  link(options: LinkOptions = {}): LinkedProgram {
    return link(this.parsed(), options);
  }

  /** The final instructions. */
  build(options: LinkOptions = {}): Instruction[] {
    return this.link(options).insns;
  }

  // ---- 64-bit arithmetic ------------------------------------------------------------

  add64(dst: Register, src: Operand): this { return this.alu('add', dst, src); }
  sub64(dst: Register, src: Operand): this { return this.alu('sub', dst, src); }
  mul64(dst: Register, src: Operand): this { return this.alu('mul', dst, src); }
  div64(dst: Register, src: Operand): this { return this.alu('div', dst, src); }
  sdiv64(dst: Register, src: Operand): this { return this.alu('sdiv', dst, src); }
  mod64(dst: Register, src: Operand): this { return this.alu('mod', dst, src); }
  smod64(dst: Register, src: Operand): this { return this.alu('smod', dst, src); }
  or64(dst: Register, src: Operand): this { return this.alu('or', dst, src); }
  and64(dst: Register, src: Operand): this { return this.alu('and', dst, src); }
  xor64(dst: Register, src: Operand): this { return this.alu('xor', dst, src); }
  lsh64(dst: Register, src: Operand): this { return this.alu('lsh', dst, src); }
  rsh64(dst: Register, src: Operand): this { return this.alu('rsh', dst, src); }
  arsh64(dst: Register, src: Operand): this { return this.alu('arsh', dst, src); }
  mov64(dst: Register, src: Operand): this { return this.alu('mov', dst, src); }
  neg64(dst: Register): this { return this.unary('neg', dst); }
  /** `dst = (s64)(s<from>)src` */
  movsx64(dst: Register, src: Register, from: 8 | 16 | 32): this { return this.alu(`movsx${from}64`, dst, src); }

  // ---- 32-bit arithmetic (results zero-extended) --------------------------------------

  add32(dst: Register, src: Operand): this { return this.alu('add32', dst, src); }
  sub32(dst: Register, src: Operand): this { return this.alu('sub32', dst, src); }
  mul32(dst: Register, src: Operand): this { return this.alu('mul32', dst, src); }
  div32(dst: Register, src: Operand): this { return this.alu('div32', dst, src); }
  sdiv32(dst: Register, src: Operand): this { return this.alu('sdiv32', dst, src); }
  mod32(dst: Register, src: Operand): this { return this.alu('mod32', dst, src); }
  smod32(dst: Register, src: Operand): this { return this.alu('smod32', dst, src); }
  or32(dst: Register, src: Operand): this { return this.alu('or32', dst, src); }
  and32(dst: Register, src: Operand): this { return this.alu('and32', dst, src); }
  xor32(dst: Register, src: Operand): this { return this.alu('xor32', dst, src); }
  lsh32(dst: Register, src: Operand): this { return this.alu('lsh32', dst, src); }
  rsh32(dst: Register, src: Operand): this { return this.alu('rsh32', dst, src); }
  arsh32(dst: Register, src: Operand): this { return this.alu('arsh32', dst, src); }
  mov32(dst: Register, src: Operand): this { return this.alu('mov32', dst, src); }
  neg32(dst: Register): this { return this.unary('neg32', dst); }
  /** `dst = (u32)(s32)(s<from>)src` */
  movsx32(dst: Register, src: Register, from: 8 | 16): this { return this.alu(`movsx${from}32`, dst, src); }

  // ---- byte order -----------------------------------------------------------------------

  le16(dst: Register): this { return this.unary('le16', dst); }
  le32(dst: Register): this { return this.unary('le32', dst); }
  le64(dst: Register): this { return this.unary('le64', dst); }
  be16(dst: Register): this { return this.unary('be16', dst); }
  be32(dst: Register): this { return this.unary('be32', dst); }
  be64(dst: Register): this { return this.unary('be64', dst); }
  bswap16(dst: Register): this { return this.unary('bswap16', dst); }
  bswap32(dst: Register): this { return this.unary('bswap32', dst); }
  bswap64(dst: Register): this { return this.unary('bswap64', dst); }

  // ---- jumps, calls, exit -------------------------------------------------------------

  /** `goto target` (s16 distance). */
  ja(target: Target): this { return this.jump(this.make('ja', 0, 0, 0, 0), 'offset', target); }
  /** `gotol target`: the long jump, distance in imm (the `ja32` mnemonic). */
  gotol(target: Target): this { return this.jump(this.make('ja32', 0, 0, 0, 0), 'imm', target); }
  /** Alias of `gotol`, named as in the mnemonic dialect. */
  ja32(target: Target): this { return this.gotol(target); }

  jeq(dst: Register, src: Operand, target: Target): this { return this.jcond('jeq', dst, src, target); }
  jne(dst: Register, src: Operand, target: Target): this { return this.jcond('jne', dst, src, target); }
  jgt(dst: Register, src: Operand, target: Target): this { return this.jcond('jgt', dst, src, target); }
  jge(dst: Register, src: Operand, target: Target): this { return this.jcond('jge', dst, src, target); }
  jlt(dst: Register, src: Operand, target: Target): this { return this.jcond('jlt', dst, src, target); }
  jle(dst: Register, src: Operand, target: Target): this { return this.jcond('jle', dst, src, target); }
  jsgt(dst: Register, src: Operand, target: Target): this { return this.jcond('jsgt', dst, src, target); }
  jsge(dst: Register, src: Operand, target: Target): this { return this.jcond('jsge', dst, src, target); }
  jslt(dst: Register, src: Operand, target: Target): this { return this.jcond('jslt', dst, src, target); }
  jsle(dst: Register, src: Operand, target: Target): this { return this.jcond('jsle', dst, src, target); }
  jset(dst: Register, src: Operand, target: Target): this { return this.jcond('jset', dst, src, target); }
  jeq32(dst: Register, src: Operand, target: Target): this { return this.jcond('jeq32', dst, src, target); }
  jne32(dst: Register, src: Operand, target: Target): this { return this.jcond('jne32', dst, src, target); }
  jgt32(dst: Register, src: Operand, target: Target): this { return this.jcond('jgt32', dst, src, target); }
  jge32(dst: Register, src: Operand, target: Target): this { return this.jcond('jge32', dst, src, target); }
  jlt32(dst: Register, src: Operand, target: Target): this { return this.jcond('jlt32', dst, src, target); }
  jle32(dst: Register, src: Operand, target: Target): this { return this.jcond('jle32', dst, src, target); }
  jsgt32(dst: Register, src: Operand, target: Target): this { return this.jcond('jsgt32', dst, src, target); }
  jsge32(dst: Register, src: Operand, target: Target): this { return this.jcond('jsge32', dst, src, target); }
  jslt32(dst: Register, src: Operand, target: Target): this { return this.jcond('jslt32', dst, src, target); }
  jsle32(dst: Register, src: Operand, target: Target): this { return this.jcond('jsle32', dst, src, target); }
  jset32(dst: Register, src: Operand, target: Target): this { return this.jcond('jset32', dst, src, target); }

  /** Calls helper `id` (Linux numbering). */
  call(id: number): this { return this.push(this.make('call', 0, 0, 0, this.imm32(id))); }
  /** Calls a local function (bpf-to-bpf call). */
  callLocal(target: Target): this { return this.jump(this.make('call local', 0, 0, 0, 0), 'imm', target); }
  /** Calls a kernel function by BTF id; `module` is the module BTF's fd-array index (0: vmlinux). */
  callKfunc(btfId: number, module = 0): this {
    return this.push(this.make('call kfunc', 0, 0, this.offset16(module), this.imm32(btfId)));
  }
  /** Calls the function whose address (or helper id) is in `dst`. */
  callx(dst: Register): this { return this.push(this.make('callx', this.reg(dst), 0, 0, 0)); }
  exit(): this { return this.push(this.make('exit', 0, 0, 0, 0)); }

  // ---- loads and stores -----------------------------------------------------------------

  /** `dst = *(u8 *)(src + off)` */
  ldxb(dst: Register, src: Register, off = 0): this { return this.load('ldxb', dst, src, off); }
  ldxh(dst: Register, src: Register, off = 0): this { return this.load('ldxh', dst, src, off); }
  ldxw(dst: Register, src: Register, off = 0): this { return this.load('ldxw', dst, src, off); }
  ldxdw(dst: Register, src: Register, off = 0): this { return this.load('ldxdw', dst, src, off); }
  /** `dst = *(s8 *)(src + off)`, sign-extended */
  ldxsb(dst: Register, src: Register, off = 0): this { return this.load('ldxsb', dst, src, off); }
  ldxsh(dst: Register, src: Register, off = 0): this { return this.load('ldxsh', dst, src, off); }
  ldxsw(dst: Register, src: Register, off = 0): this { return this.load('ldxsw', dst, src, off); }

  /** `*(u8 *)(dst + off) = imm` */
  stb(dst: Register, off: number, imm: number): this { return this.storeImm('stb', dst, off, imm); }
  sth(dst: Register, off: number, imm: number): this { return this.storeImm('sth', dst, off, imm); }
  stw(dst: Register, off: number, imm: number): this { return this.storeImm('stw', dst, off, imm); }
  stdw(dst: Register, off: number, imm: number): this { return this.storeImm('stdw', dst, off, imm); }

  /** `*(u8 *)(dst + off) = src` */
  stxb(dst: Register, off: number, src: Register): this { return this.store('stxb', dst, off, src); }
  stxh(dst: Register, off: number, src: Register): this { return this.store('stxh', dst, off, src); }
  stxw(dst: Register, off: number, src: Register): this { return this.store('stxw', dst, off, src); }
  stxdw(dst: Register, off: number, src: Register): this { return this.store('stxdw', dst, off, src); }

  // ---- atomics: `*(size *)(dst + off) op= src`; fetch variants also return the old value in src

  atomicAdd64(dst: Register, off: number, src: Register): this { return this.store('lock add', dst, off, src); }
  atomicOr64(dst: Register, off: number, src: Register): this { return this.store('lock or', dst, off, src); }
  atomicAnd64(dst: Register, off: number, src: Register): this { return this.store('lock and', dst, off, src); }
  atomicXor64(dst: Register, off: number, src: Register): this { return this.store('lock xor', dst, off, src); }
  atomicFetchAdd64(dst: Register, off: number, src: Register): this { return this.store('lock fetch add', dst, off, src); }
  atomicFetchOr64(dst: Register, off: number, src: Register): this { return this.store('lock fetch or', dst, off, src); }
  atomicFetchAnd64(dst: Register, off: number, src: Register): this { return this.store('lock fetch and', dst, off, src); }
  atomicFetchXor64(dst: Register, off: number, src: Register): this { return this.store('lock fetch xor', dst, off, src); }
  /** `src = xchg(*(u64 *)(dst + off), src)` */
  atomicXchg64(dst: Register, off: number, src: Register): this { return this.store('lock xchg', dst, off, src); }
  /** `r0 = cmpxchg(*(u64 *)(dst + off), r0, src)` */
  atomicCmpxchg64(dst: Register, off: number, src: Register): this { return this.store('lock cmpxchg', dst, off, src); }
  atomicAdd32(dst: Register, off: number, src: Register): this { return this.store('lock add32', dst, off, src); }
  atomicOr32(dst: Register, off: number, src: Register): this { return this.store('lock or32', dst, off, src); }
  atomicAnd32(dst: Register, off: number, src: Register): this { return this.store('lock and32', dst, off, src); }
  atomicXor32(dst: Register, off: number, src: Register): this { return this.store('lock xor32', dst, off, src); }
  atomicFetchAdd32(dst: Register, off: number, src: Register): this { return this.store('lock fetch add32', dst, off, src); }
  atomicFetchOr32(dst: Register, off: number, src: Register): this { return this.store('lock fetch or32', dst, off, src); }
  atomicFetchAnd32(dst: Register, off: number, src: Register): this { return this.store('lock fetch and32', dst, off, src); }
  atomicFetchXor32(dst: Register, off: number, src: Register): this { return this.store('lock fetch xor32', dst, off, src); }
  atomicXchg32(dst: Register, off: number, src: Register): this { return this.store('lock xchg32', dst, off, src); }
  atomicCmpxchg32(dst: Register, off: number, src: Register): this { return this.store('lock cmpxchg32', dst, off, src); }

  // ---- 64-bit immediates and pseudo loads ----------------------------------------------

  /** `dst = value`: any 64-bit value, signed or unsigned. */
  lddw(dst: Register, value: bigint | number): this {
    return this.push(lddw(this.reg(dst), this.imm64(value)));
  }
  /** `dst = &map`: by name (resolved by `link` to an index) or by index (src MAP_IDX). */
  ldMap(dst: Register, map: string | number): this { return this.mapLoad(dst, map, LddwSrc.MAP_IDX, 0); }
  /** `dst = &map's value + offset`, by name or index (src MAP_IDX_VALUE). */
  ldMapValue(dst: Register, map: string | number, offset = 0): this {
    return this.mapLoad(dst, map, LddwSrc.MAP_IDX_VALUE, offset);
  }
  /** `dst = map_by_fd(fd)` (src MAP_FD). */
  ldMapFd(dst: Register, fd: number): this { return this.pseudo(dst, LddwSrc.MAP_FD, fd, 0); }
  /** `dst = map_val(map_by_fd(fd)) + offset` (src MAP_VALUE). */
  ldMapFdValue(dst: Register, fd: number, offset = 0): this { return this.pseudo(dst, LddwSrc.MAP_VALUE, fd, offset); }
  /** `dst = var_addr(btfId)`: a kernel variable (src VAR_ADDR). */
  ldVarAddr(dst: Register, btfId: number): this { return this.pseudo(dst, LddwSrc.VAR_ADDR, btfId, 0); }
  /** `dst = code_addr(target)`: a function of this program (src CODE_ADDR). */
  ldCodeAddr(dst: Register, target: Target): this {
    return this.jump(lddw(this.reg(dst), 0n, LddwSrc.CODE_ADDR), 'imm', target);
  }

  // ---- legacy packet loads (r0 = ntoh(packet[...]); r6 holds the skb) --------------------

  ldabsb(imm: number): this { return this.push(this.make('ldabsb', 0, 0, 0, this.imm32(imm))); }
  ldabsh(imm: number): this { return this.push(this.make('ldabsh', 0, 0, 0, this.imm32(imm))); }
  ldabsw(imm: number): this { return this.push(this.make('ldabsw', 0, 0, 0, this.imm32(imm))); }
  ldindb(src: Register, imm: number): this { return this.push(this.make('ldindb', 0, this.reg(src), 0, this.imm32(imm))); }
  ldindh(src: Register, imm: number): this { return this.push(this.make('ldindh', 0, this.reg(src), 0, this.imm32(imm))); }
  ldindw(src: Register, imm: number): this { return this.push(this.make('ldindw', 0, this.reg(src), 0, this.imm32(imm))); }

  // ---- internals ------------------------------------------------------------------------

  /** Where the next instruction goes: line = its 1-based position. */
  private here(): SourceLocation {
    return { line: this.items.length + 1, column: 1, file: '<builder>' };
  }

  private fail(code: AsmErrorCodeValue, message: string): never {
    throw new AsmError(code, message, this.here());
  }

  private push(instruction: Instruction, extra: { label?: string; mapRef?: string } = {}): this {
    this.items.push({ insn: instruction, location: this.here(), ...extra });
    return this;
  }

  /** The one form named `name` whose source is a register (`byReg`) or not. */
  private form(name: string, byReg?: boolean): InsnForm {
    const forms = formsByName.get(name) ?? [];
    const form = byReg === undefined ? forms[0] : forms.find((f) => (f.src === 'reg') === byReg);
    if (!form) this.fail(AsmErrorCode.BAD_OPERAND, `${name} takes ${byReg ? 'no register' : 'a register'} operand here`);
    return form;
  }

  private make(name: string, dst: number, src: number, offset: number, imm: number, byReg?: boolean): Instruction {
    const f = this.form(name, byReg);
    const pick = (rule: InsnForm['dst'], v: number): number => (typeof rule === 'object' ? rule.exact : v);
    return insn(f.opcode, pick(f.dst, dst), pick(f.src, src), pick(f.offset, offset), pick(f.imm, imm));
  }

  private reg(r: Register): number {
    if (!(r instanceof Register)) this.fail(AsmErrorCode.BAD_OPERAND, `expected a register (R0-R10), got ${String(r)}`);
    return r.num;
  }

  private imm32(v: number): number {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
      this.fail(AsmErrorCode.IMM_RANGE, `immediate ${v} does not fit in 32 bits`);
    }
    return v | 0;
  }

  private offset16(v: number): number {
    if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) {
      this.fail(AsmErrorCode.OFFSET_RANGE, `offset ${v} does not fit in s16 (-32768..32767)`);
    }
    return v;
  }

  private imm64(v: bigint | number): bigint {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      this.fail(AsmErrorCode.IMM_RANGE, `${v} is not an exact integer; pass a bigint for 64-bit values`);
    }
    const b = BigInt(v);
    if (b < -(1n << 63n) || b >= 1n << 64n) this.fail(AsmErrorCode.IMM_RANGE, `immediate ${b} does not fit in 64 bits`);
    return BigInt.asUintN(64, b);
  }

  private alu(name: string, dst: Register, src: Operand): this {
    const d = this.reg(dst);
    if (src instanceof Register) return this.push(this.make(name, d, src.num, 0, 0, true));
    return this.push(this.make(name, d, 0, 0, this.imm32(src), false));
  }

  private unary(name: string, dst: Register): this {
    return this.push(this.make(name, this.reg(dst), 0, 0, 0));
  }

  private jcond(name: string, dst: Register, src: Operand, target: Target): this {
    const d = this.reg(dst);
    const base = src instanceof Register
      ? this.make(name, d, src.num, 0, 0, true)
      : this.make(name, d, 0, 0, this.imm32(src), false);
    return this.jump(base, 'offset', target);
  }

  /** Adds a control transfer whose distance lives in `field`; a string target is a label. */
  private jump(i: Instruction, field: 'offset' | 'imm', target: Target): this {
    if (typeof target === 'string') return this.push(i, { label: target });
    if (field === 'offset') return this.push({ ...i, offset: this.offset16(target) });
    if (!Number.isInteger(target) || target < -0x80000000 || target > 0x7fffffff) {
      this.fail(AsmErrorCode.IMM_RANGE, `jump distance ${target} does not fit in s32`);
    }
    if (i.opcode !== LDDW_OPCODE) return this.push({ ...i, imm: target });
    return this.push({ ...i, imm: target, imm64: BigInt(target >>> 0) });
  }

  private load(name: string, dst: Register, src: Register, off: number): this {
    return this.push(this.make(name, this.reg(dst), this.reg(src), this.offset16(off), 0));
  }

  private storeImm(name: string, dst: Register, off: number, imm: number): this {
    return this.push(this.make(name, this.reg(dst), 0, this.offset16(off), this.imm32(imm)));
  }

  /** Register stores and atomics share the `[dst + off], src` shape; atomics take imm from the table. */
  private store(name: string, dst: Register, off: number, src: Register): this {
    return this.push(this.make(name, this.reg(dst), this.reg(src), this.offset16(off), 0));
  }

  private mapLoad(dst: Register, map: string | number, src: number, offset: number): this {
    const high = BigInt(this.imm32(offset) >>> 0) << 32n;
    if (typeof map === 'string') return this.push(lddw(this.reg(dst), high, src), { mapRef: map });
    return this.push(lddw(this.reg(dst), high | BigInt(this.imm32(map) >>> 0), src));
  }

  private pseudo(dst: Register, src: number, imm: number, next: number): this {
    const value = (BigInt(this.imm32(next) >>> 0) << 32n) | BigInt(this.imm32(imm) >>> 0);
    return this.push(lddw(this.reg(dst), value, src));
  }
}

/** Starts a program. */
export function program(): ProgramBuilder {
  return new ProgramBuilder();
}
