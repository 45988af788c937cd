/**
 * `CodeBuilder` writes one function body: the locals declaration, the instruction
 * stream, and the final `end` (spec 5.5.13 "code"). It keeps the control stack so
 * that `depth` can tell a structuring pass how far a `br` must reach, and so that an
 * `end` too many or too few is an error at `finish()` rather than a validation
 * failure of the whole module later.
 *
 * It does not type-check the operand stack: `WebAssembly.validate` does that, and
 * duplicating it would cost every JIT compile. What it does check is everything that
 * would otherwise make an unreadable binary: ranges of immediates, index spaces it
 * knows (locals, labels), and opcodes passed to the wrong method.
 */
import { ByteBuffer } from './bytes.js';
import { WasmEncodeError, WasmErrorCode } from './errors.js';
import { writeI32, writeI64, writeU32 } from './leb128.js';
import { BlockType, isValType, MiscOp, Op, Prefix, valTypeName, type ValTypeValue } from './opcodes.js';
import { atomicOpInfo, isLoad, isStore, miscOpInfo, opInfo, PLAIN_OPS } from './opinfo.js';

/** Kinds of open control frames (plain numbers, not a const enum, so any bundler copes). */
const Frame = { Block: 0, Loop: 1, If: 2, Else: 3 } as const;
type Frame = (typeof Frame)[keyof typeof Frame];
const FRAME_NAMES = ['block', 'loop', 'if', 'else'];

// One scratch view for float immediates: the spec stores them as little-endian IEEE 754.
const scratch = new DataView(new ArrayBuffer(8));

function checkType(type: number): ValTypeValue {
  if (!isValType(type)) throw new WasmEncodeError(WasmErrorCode.RANGE, `0x${type.toString(16)} is not a value type`);
  return type;
}

/** Checks a memarg before anything is written; returns the alignment to encode. */
function checkMemarg(what: string, natural: number, offset: number, alignLog2: number | undefined, exact: boolean): number {
  const align = alignLog2 ?? natural;
  if (!Number.isInteger(align) || align < 0 || (exact ? align !== natural : align > natural)) {
    throw new WasmEncodeError(WasmErrorCode.RANGE, `alignment 2^${align} is not valid for ${what} (natural: 2^${natural}${exact ? ', required exactly' : ''})`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) {
    throw new WasmEncodeError(WasmErrorCode.RANGE, `memory offset ${offset} of ${what} is not a u32`);
  }
  return align;
}

export class CodeBuilder {
  /** The parameter types: locals 0..n-1. */
  readonly params: readonly ValTypeValue[];
  private readonly locals: ValTypeValue[] = [];
  private readonly code: ByteBuffer;
  private readonly frames: Frame[] = [];
  private readonly names = new Map<number, string>();
  private maxCall = -1;
  private maxGlobal = -1;
  private memory = false;

  /** `capacity`: the expected size of the body in bytes (the buffer grows past it as needed). */
  constructor(params: readonly ValTypeValue[], capacity = 256) {
    this.params = params.map(checkType);
    this.code = new ByteBuffer(capacity);
  }

  /** Declares a local after the parameters and the earlier locals; returns its index. */
  addLocal(type: ValTypeValue, name?: string): number {
    this.locals.push(checkType(type));
    const index = this.params.length + this.locals.length - 1;
    if (name !== undefined) this.names.set(index, name);
    return index;
  }

  /** Names a parameter or local in the module's name section (shown by `printWat`). */
  nameLocal(index: number, name: string): this {
    this.checkLocal(index);
    this.names.set(index, name);
    return this;
  }

  /** Parameters plus declared locals. */
  get localCount(): number {
    return this.params.length + this.locals.length;
  }

  /** The type of parameter or local `index`. */
  localType(index: number): ValTypeValue {
    this.checkLocal(index);
    return index < this.params.length ? this.params[index]! : this.locals[index - this.params.length]!;
  }

  /** Current control nesting: 0 in the function body, +1 inside each open block/loop/if. */
  get depth(): number {
    return this.frames.length;
  }

  /** Bytes of instructions written so far (excluding the locals and the final `end`). */
  get codeLength(): number {
    return this.code.length;
  }

  /** Any single-byte opcode without immediates (arithmetic, comparisons, conversions, `drop`, `select`, `return`...). */
  op(opcode: number): this {
    if (PLAIN_OPS[opcode] !== 1) { // undefined for non-integers and out-of-range numbers too
      const info = Number.isInteger(opcode) ? opInfo(opcode) : undefined;
      throw new WasmEncodeError(
        WasmErrorCode.BAD_OPCODE,
        info ? `${info.name} has immediates or changes nesting: use its own method, not op()` : `${opcode} is not a single-byte opcode`,
      );
    }
    this.code.push(opcode);
    return this;
  }

  i32Const(v: number): this {
    // Most constants in JITted code are small: one byte, no range checks needed.
    if (v >= -64 && v < 64 && (v | 0) === v) { this.code.push2(Op.I32_CONST, v & 0x7f); return this; }
    return this.withImmediate(Op.I32_CONST, writeI32, v);
  }

  /** `i64.const`: takes the signed or the unsigned spelling of the 64 bits (2n**64n - 1n is -1). */
  i64Const(v: bigint | number): this {
    if (typeof v === 'number' && v >= -64 && v < 64 && (v | 0) === v) { this.code.push2(Op.I64_CONST, v & 0x7f); return this; }
    return this.withImmediate(Op.I64_CONST, writeI64, v);
  }

  f32Const(v: number): this {
    scratch.setFloat32(0, v, true);
    this.code.push(Op.F32_CONST);
    for (let i = 0; i < 4; i++) this.code.push(scratch.getUint8(i));
    return this;
  }

  f64Const(v: number): this {
    scratch.setFloat64(0, v, true);
    this.code.push(Op.F64_CONST);
    for (let i = 0; i < 8; i++) this.code.push(scratch.getUint8(i));
    return this;
  }

  localGet(i: number): this { return this.localOp(Op.LOCAL_GET, i); }
  localSet(i: number): this { return this.localOp(Op.LOCAL_SET, i); }
  localTee(i: number): this { return this.localOp(Op.LOCAL_TEE, i); }
  globalGet(i: number): this { return this.globalOp(Op.GLOBAL_GET, i); }
  globalSet(i: number): this { return this.globalOp(Op.GLOBAL_SET, i); }

  block(bt: number = BlockType.EMPTY): this { return this.open(Op.BLOCK, Frame.Block, bt); }
  loop(bt: number = BlockType.EMPTY): this { return this.open(Op.LOOP, Frame.Loop, bt); }
  if(bt: number = BlockType.EMPTY): this { return this.open(Op.IF, Frame.If, bt); }

  else(): this {
    const n = this.frames.length;
    if (n === 0 || this.frames[n - 1] !== Frame.If) {
      const open = n === 0 ? 'no open block' : `the innermost block is a ${FRAME_NAMES[this.frames[n - 1]!]}`;
      throw new WasmEncodeError(WasmErrorCode.UNBALANCED, `else without an open if (${open})`);
    }
    this.frames[n - 1] = Frame.Else;
    this.code.push(Op.ELSE);
    return this;
  }

  end(): this {
    if (this.frames.length === 0) {
      throw new WasmEncodeError(WasmErrorCode.UNBALANCED, 'end without an open block (finish() writes the function\'s own end)');
    }
    this.frames.pop();
    this.code.push(Op.END);
    return this;
  }

  /** Branch to the label `depth` levels out: 0 is the innermost block, `this.depth` the function body. */
  br(depth: number): this { return this.branch(Op.BR, depth); }
  brIf(depth: number): this { return this.branch(Op.BR_IF, depth); }

  brTable(depths: readonly number[], defaultDepth: number): this {
    for (const d of depths) this.checkLabel(d);
    this.checkLabel(defaultDepth);
    this.code.push(Op.BR_TABLE);
    writeU32(this.code, depths.length);
    for (const d of depths) writeU32(this.code, d);
    writeU32(this.code, defaultDepth);
    return this;
  }

  /** Calls function `funcIndex` (imports first); indices are checked when the module is built. */
  call(funcIndex: number): this {
    this.withImmediate(Op.CALL, writeU32, funcIndex);
    if (funcIndex > this.maxCall) this.maxCall = funcIndex;
    return this;
  }

  return(): this {
    this.code.push(Op.RETURN);
    return this;
  }

  /** A plain load; `alignLog2` defaults to the natural alignment and may not exceed it. */
  load(op: number, offset = 0, alignLog2?: number): this {
    if (!isLoad(op)) throw new WasmEncodeError(WasmErrorCode.BAD_OPCODE, `${op} is not a load opcode`);
    return this.plainMemarg(op, offset, alignLog2);
  }

  /** A plain store; `alignLog2` defaults to the natural alignment and may not exceed it. */
  store(op: number, offset = 0, alignLog2?: number): this {
    if (!isStore(op)) throw new WasmEncodeError(WasmErrorCode.BAD_OPCODE, `${op} is not a store opcode`);
    return this.plainMemarg(op, offset, alignLog2);
  }

  /**
   * A threads-proposal instruction: 0xFE, the op as u32 LEB128, then a memarg whose
   * alignment must be exactly the access width (the spec's rule for atomics), or for
   * `atomic.fence` the single reserved zero byte.
   */
  atomic(op: number, offset = 0, alignLog2?: number): this {
    const info = Number.isInteger(op) ? atomicOpInfo(op) : undefined;
    if (!info) throw new WasmEncodeError(WasmErrorCode.BAD_OPCODE, `${op} is not an atomic opcode`);
    if (info.alignLog2 === undefined) {
      if (offset !== 0 || alignLog2 !== undefined) {
        throw new WasmEncodeError(WasmErrorCode.RANGE, `${info.name} takes no offset or alignment`);
      }
      this.code.push2(Prefix.ATOMIC, op);
      this.code.push(0x00); // every atomic op is below 0x80: one LEB byte
      return this;
    }
    const align = checkMemarg(info.name, info.alignLog2, offset, alignLog2, true);
    this.code.push2(Prefix.ATOMIC, op);
    return this.writeMemarg(align, offset);
  }

  /** A 0xFC-prefixed instruction (saturating truncations, `memory.copy`, `memory.fill`). */
  misc(op: number): this {
    const info = Number.isInteger(op) ? miscOpInfo(op) : undefined;
    if (!info) throw new WasmEncodeError(WasmErrorCode.BAD_OPCODE, `0x${op.toString(16)} is not a 0xFC opcode ebee supports`);
    this.code.push2(Prefix.MISC, op); // every 0xFC op ebee knows is below 0x80: one LEB byte
    if (op === MiscOp.MEMORY_COPY) this.code.push2(0x00, 0x00);
    else if (op === MiscOp.MEMORY_FILL) this.code.push(0x00);
    if (info.immediate !== 'none') this.memory = true;
    return this;
  }

  /** `memory.size` (pages). */
  memorySize(): this {
    this.memory = true;
    this.code.push2(Op.MEMORY_SIZE, 0x00);
    return this;
  }

  /** `memory.grow` (pages in, old size or -1 out). */
  memoryGrow(): this {
    this.memory = true;
    this.code.push2(Op.MEMORY_GROW, 0x00);
    return this;
  }

  /** The body: locals (consecutive equal types grouped), instructions, final `end`. */
  finish(): Uint8Array<ArrayBuffer> {
    if (this.frames.length !== 0) {
      const open = this.frames.map((f) => FRAME_NAMES[f]).join(' > ');
      throw new WasmEncodeError(WasmErrorCode.UNBALANCED, `${this.frames.length} block(s) still open at finish(): ${open}`);
    }
    const head = new ByteBuffer(16);
    const groups: [number, ValTypeValue][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    writeU32(head, groups.length);
    for (const [n, t] of groups) { writeU32(head, n); head.push(t); }
    // Sized exactly: the code (which can be megabytes) is copied once.
    const out = new ByteBuffer(head.length + this.code.length + 1);
    out.append(head.view());
    out.append(this.code.view());
    out.push(Op.END);
    return out.take();
  }

  /** For `ModuleBuilder`: what the body refers to outside itself, checked at `toBytes()`. */
  get references(): { maxFunction: number; maxGlobal: number; memory: boolean } {
    return { maxFunction: this.maxCall, maxGlobal: this.maxGlobal, memory: this.memory };
  }

  /** For `ModuleBuilder`: names given to parameters and locals, by index. */
  get localNames(): ReadonlyMap<number, string> {
    return this.names;
  }

  private checkLocal(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.params.length + this.locals.length) {
      throw new WasmEncodeError(WasmErrorCode.BAD_INDEX, `local ${i} does not exist (${this.params.length + this.locals.length} params and locals)`);
    }
  }

  private localOp(opcode: number, i: number): this {
    this.checkLocal(i);
    if (i < 0x80) this.code.push2(opcode, i); // the common case: one LEB byte
    else { this.code.push(opcode); writeU32(this.code, i); }
    return this;
  }

  private globalOp(opcode: number, i: number): this {
    this.withImmediate(opcode, writeU32, i);
    if (i > this.maxGlobal) this.maxGlobal = i;
    return this;
  }

  private open(opcode: number, kind: Frame, bt: number): this {
    if (bt !== BlockType.EMPTY && valTypeName(bt) === undefined) {
      throw new WasmEncodeError(WasmErrorCode.RANGE, `0x${bt.toString(16)} is not a block type`);
    }
    this.frames.push(kind);
    this.code.push2(opcode, bt);
    return this;
  }

  private checkLabel(depth: number): void {
    if (!Number.isInteger(depth) || depth < 0 || depth > this.frames.length) {
      throw new WasmEncodeError(WasmErrorCode.BAD_INDEX, `branch depth ${depth} is outside the ${this.frames.length} enclosing block(s) and the body`);
    }
  }

  private branch(opcode: number, depth: number): this {
    this.checkLabel(depth);
    this.code.push(opcode);
    writeU32(this.code, depth);
    return this;
  }

  /**
   * Writes an opcode and one LEB immediate, leaving the code untouched if the value is
   * out of range: a caller that catches the error still holds a consistent body.
   */
  private withImmediate<T>(opcode: number, write: (out: ByteBuffer, v: T) => void, v: T): this {
    const mark = this.code.length;
    this.code.push(opcode);
    try {
      write(this.code, v);
    } catch (e) {
      this.code.truncate(mark);
      throw e;
    }
    return this;
  }

  private plainMemarg(op: number, offset: number, alignLog2: number | undefined): this {
    const info = opInfo(op)!;
    const align = checkMemarg(info.name, info.alignLog2!, offset, alignLog2, false);
    this.code.push(op);
    return this.writeMemarg(align, offset);
  }

  private writeMemarg(align: number, offset: number): this {
    this.memory = true;
    writeU32(this.code, align);
    writeU32(this.code, offset);
    return this;
  }
}
