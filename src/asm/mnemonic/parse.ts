/**
 * The bpf_conformance / uBPF mnemonic dialect, text to `ParsedProgram`.
 *
 * One instruction per line, optionally preceded by `label:`; operands are `%rN`,
 * numbers (decimal or `0x` hex, optionally signed), memory references `[%rN+off]`,
 * and names (labels, maps). The operand shape of each instruction follows its kind in
 * the ISA table; see `index.ts` for the full syntax and the choices made
 * where the suite is silent (packet loads, map references, pseudo `lddw` forms).
 */
import type { SourceLocation } from '../../errors.js';
import {
  JmpOp, Class, LDDW_OPCODE, LddwSrc, insn, lddw, type Instruction, type InsnForm,
} from '../../isa/index.js';
import { AsmError, AsmErrorCode } from '../errors.js';
import { defineLabel, type AsmItem, type LabelDef, type ParsedProgram } from '../link.js';
import {
  locate, parseOperands, stripComment, tokenize, type LineContext, type Operand, type Token,
} from './lexer.js';
import { formNamed, formsNamed, isMnemonicPrefix } from './table.js';

export interface MnemonicParseOptions {
  /** File name for error locations. */
  readonly file?: string;
  /** Line number of the text's first line (default 1), when the text is part of a larger file. */
  readonly firstLine?: number;
}

const EXIT_OPCODE = JmpOp.EXIT | Class.JMP;

/**
 * Parses mnemonic-dialect assembly. Labels stay symbolic; pass the result to `link`.
 * As in the conformance suite, the first `exit` is implicitly labelled `exit` unless
 * the text defines a label of that name.
 */
export function parseMnemonic(text: string, options: MnemonicParseOptions = {}): ParsedProgram {
  const items: AsmItem[] = [];
  const labels = new Map<string, LabelDef>();
  const first = options.firstLine ?? 1;
  text.split('\n').forEach((raw, index) => {
    const ctx: LineContext = { line: first + index, file: options.file };
    const tokens = tokenize(stripComment(raw), ctx);
    let at = 0;
    while (tokens[at]?.kind === 'word' && tokens[at + 1]?.text === ':') {
      defineLabel(labels, tokens[at]!.text, items.length, locate(ctx, tokens[at]!.column));
      at += 2;
    }
    if (at < tokens.length) items.push(parseInstruction(tokens.slice(at), ctx));
  });
  if (!labels.has('exit')) {
    const exit = items.findIndex((item) => item.insn.opcode === EXIT_OPCODE);
    if (exit >= 0) labels.set('exit', { item: exit, location: items[exit]!.location });
  }
  return { items, labels };
}

/** Parses one instruction (no label, no comment). */
function parseInstruction(tokens: readonly Token[], ctx: LineContext): AsmItem {
  const head = tokens[0]!;
  if (head.kind !== 'word') {
    throw new AsmError(AsmErrorCode.SYNTAX, `expected a mnemonic or label, found '${head.text}'`, locate(ctx, head.column));
  }
  // Mnemonics can span words (`lock fetch add32`, `call local`): take words while they
  // still spell the start of one.
  let phrase = head.text.toLowerCase();
  let at = 1;
  while (tokens[at]?.kind === 'word' && isMnemonicPrefix(`${phrase} ${tokens[at]!.text.toLowerCase()}`)) {
    phrase = `${phrase} ${tokens[at]!.text.toLowerCase()}`;
    at++;
  }
  const forms = formsNamed(phrase);
  const location = locate(ctx, head.column);
  if (!forms) {
    const shown = phrase === 'lock' && tokens[1]?.kind === 'word' ? `lock ${tokens[1].text}` : head.text;
    throw new AsmError(AsmErrorCode.UNKNOWN_MNEMONIC, `unknown mnemonic '${shown}'`, location);
  }
  const last = tokens[tokens.length - 1]!;
  const ops = new Operands(phrase, parseOperands(tokens.slice(at), ctx), ctx, last.column + last.text.length);
  return build(phrase, forms, ops, location);
}

/** Fills a form's fields; discriminating fields come from the table, not the caller. */
function make(form: InsnForm, dst: number, src: number, offset: number, imm: number): Instruction {
  const pick = (rule: InsnForm['dst'], v: number): number => (typeof rule === 'object' ? rule.exact : v);
  return insn(form.opcode, pick(form.dst, dst), pick(form.src, src), pick(form.offset, offset), pick(form.imm, imm));
}

/** The register-source or immediate-source variant among forms sharing a name. */
function variant(forms: readonly InsnForm[], op: Operand, ops: Operands): InsnForm {
  const wantReg = op.kind === 'reg';
  const form = forms.find((f) => (f.src === 'reg') === wantReg);
  if (form) return form;
  return ops.fail(op, wantReg ? 'expects an immediate here, not a register' : 'expects a register here');
}

/** `dst, src|imm`: the second operand's kind picks the opcode. */
function binary(forms: readonly InsnForm[], ops: Operands): Instruction {
  const second = ops.at(1);
  const f = variant(forms, second, ops);
  return second.kind === 'reg' ? make(f, ops.reg(0), second.reg, 0, 0) : make(f, ops.reg(0), 0, 0, ops.imm32(1));
}

function build(name: string, forms: readonly InsnForm[], ops: Operands, location: SourceLocation): AsmItem {
  const form = forms[0]!;
  switch (form.kind) {
    case 'alu':
    case 'mov':
      ops.arity(2);
      return { insn: binary(forms, ops), location };
    case 'neg':
    case 'end':
      ops.arity(1);
      return { insn: make(form, ops.reg(0), 0, 0, 0), location };
    case 'jcond':
      ops.arity(3);
      return target(binary(forms, ops), ops, 2, 'offset', location);
    case 'ja':
      ops.arity(1);
      return target(make(form, 0, 0, 0, 0), ops, 0, form.imm === 'any' ? 'imm' : 'offset', location);
    case 'call':
      if (name === 'call local') {
        ops.arity(1);
        return target(make(form, 0, 0, 0, 0), ops, 0, 'imm', location);
      }
      if (name === 'call kfunc') {
        ops.arity(1, 2);
        return { insn: make(form, 0, 0, ops.count > 1 ? ops.offset16(1) : 0, ops.imm32(0)), location };
      }
      ops.arity(1);
      // `call %rN` is how the suite writes callx (register in the dst field).
      if (ops.at(0).kind === 'reg') return { insn: make(formNamed('callx'), ops.reg(0), 0, 0, 0), location };
      if (ops.at(0).kind === 'name') ops.fail(ops.at(0), "calls a helper by number; write 'call local NAME' for a local function");
      return { insn: make(form, 0, 0, 0, ops.imm32(0)), location };
    case 'callx':
      ops.arity(1);
      return { insn: make(form, ops.reg(0), 0, 0, 0), location };
    case 'exit':
      ops.arity(0);
      return { insn: make(form, 0, 0, 0, 0), location };
    case 'lddw':
      return buildLddw(name, form, ops, location);
    case 'ldabs':
      ops.arity(1);
      return { insn: make(form, 0, 0, 0, ops.imm32(0)), location };
    case 'ldind':
      ops.arity(2);
      return { insn: make(form, 0, ops.reg(0), 0, ops.imm32(1)), location };
    case 'ldx': {
      ops.arity(2);
      const m = ops.mem(1);
      return { insn: make(form, ops.reg(0), m.base, m.offset, 0), location };
    }
    case 'st': {
      ops.arity(2);
      const m = ops.mem(0);
      return { insn: make(form, m.base, 0, m.offset, ops.imm32(1)), location };
    }
    case 'stx':
    case 'atomic': {
      ops.arity(2);
      const m = ops.mem(0);
      return { insn: make(form, m.base, ops.reg(1), m.offset, 0), location };
    }
  }
}

/** A jump distance or call/code-address target: a label, or a relative `+N` / `-N`. */
function target(base: Instruction, ops: Operands, index: number, field: 'offset' | 'imm', location: SourceLocation): AsmItem {
  const op = ops.at(index);
  if (op.kind === 'name') return { insn: base, location, label: op.name };
  if (op.kind !== 'num') ops.fail(op, `expects a label or a relative distance (+N, -N) as operand ${index + 1}`);
  const distance = field === 'offset' ? ops.offset16(index) : ops.simm32(index);
  if (base.opcode !== LDDW_OPCODE) {
    return { insn: field === 'offset' ? { ...base, offset: distance } : { ...base, imm: distance }, location };
  }
  const imm64 = ((base.imm64 ?? 0n) & ~0xffffffffn) | BigInt(distance >>> 0);
  return { insn: { ...base, imm: distance, imm64 }, location };
}

/**
 * `lddw %rD, VALUE` (a 64-bit number) or `lddw %rD, NAME` (a map, by index), and the
 * explicit pseudo forms `lddw map_fd|map_value|var_addr|code_addr|map_idx|map_idx_value
 * %rD, IMM [, NEXT_IMM]`, where the map forms also take a map name for IMM.
 */
function buildLddw(name: string, form: InsnForm, ops: Operands, location: SourceLocation): AsmItem {
  const src = typeof form.src === 'object' ? form.src.exact : 0;
  if (name === 'lddw') {
    ops.arity(2);
    const dst = ops.reg(0);
    const value = ops.at(1);
    if (value.kind === 'name') return { insn: lddw(dst, 0n, LddwSrc.MAP_IDX), location, mapRef: value.name };
    return { insn: lddw(dst, ops.imm64(1)), location };
  }
  ops.arity(2, 3);
  const dst = ops.reg(0);
  const high = ops.count > 2 ? BigInt(ops.imm32(2) >>> 0) << 32n : 0n;
  const value = ops.at(1);
  if (src === LddwSrc.CODE_ADDR) return target(lddw(dst, high, src), ops, 1, 'imm', location);
  const isMap = src !== LddwSrc.VAR_ADDR;
  if (value.kind === 'name' && isMap) return { insn: lddw(dst, high, src), location, mapRef: value.name };
  return { insn: lddw(dst, high | BigInt(ops.imm32(1) >>> 0), src), location };
}

const S16 = [-0x8000n, 0x7fffn] as const;
const S32 = [-0x80000000n, 0x7fffffffn] as const;
/** A 32-bit field written either signed or as its unsigned bit pattern (`0xffffffff` = -1). */
const ANY32 = [-0x80000000n, 0xffffffffn] as const;
const ANY64 = [-(1n << 63n), (1n << 64n) - 1n] as const;

/** The operands of one instruction, with typed accessors that report errors at the operand. */
class Operands {
  constructor(
    private readonly name: string,
    private readonly list: readonly Operand[],
    private readonly ctx: LineContext,
    /** Column just past the line's last token: where a missing operand is reported. */
    private readonly end: number,
  ) {}

  get count(): number {
    return this.list.length;
  }

  arity(min: number, max = min): void {
    if (this.list.length < min) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      throw new AsmError(AsmErrorCode.BAD_OPERAND,
        `'${this.name}' takes ${want} operand${max === 1 ? '' : 's'}, got ${this.list.length}: missing operand`,
        locate(this.ctx, this.end));
    }
    if (this.list.length > max) {
      throw new AsmError(AsmErrorCode.BAD_OPERAND,
        `'${this.name}' takes ${max} operand${max === 1 ? '' : 's'}: unexpected extra operand`,
        locate(this.ctx, this.list[max]!.column));
    }
  }

  at(i: number): Operand {
    return this.list[i]!;
  }

  fail(op: Operand, message: string): never {
    throw new AsmError(AsmErrorCode.BAD_OPERAND, `'${this.name}' ${message}`, locate(this.ctx, op.column));
  }

  reg(i: number): number {
    const op = this.at(i);
    if (op.kind !== 'reg') this.fail(op, `expects a register as operand ${i + 1}, got ${describe(op)}`);
    return op.reg;
  }

  mem(i: number): { base: number; offset: number } {
    const op = this.at(i);
    if (op.kind !== 'mem') this.fail(op, `expects a memory reference [%rN+off] as operand ${i + 1}, got ${describe(op)}`);
    if (op.offset < S16[0] || op.offset > S16[1]) {
      throw new AsmError(AsmErrorCode.OFFSET_RANGE,
        `memory offset ${op.offset} does not fit in s16 (-32768..32767)`, locate(this.ctx, op.offsetColumn));
    }
    return { base: op.base, offset: Number(op.offset) };
  }

  private number(i: number, [lo, hi]: readonly [bigint, bigint], code: typeof AsmErrorCode.IMM_RANGE | typeof AsmErrorCode.OFFSET_RANGE, what: string): bigint {
    const op = this.at(i);
    if (op.kind !== 'num') this.fail(op, `expects ${what} as operand ${i + 1}, got ${describe(op)}`);
    if (op.value < lo || op.value > hi) {
      throw new AsmError(code, `${what} ${op.value} is out of range (${lo}..${hi})`, locate(this.ctx, op.column));
    }
    return op.value;
  }

  /** A 32-bit immediate, signed or unsigned text, as the s32 the field holds. */
  imm32(i: number): number {
    return Number(BigInt.asIntN(32, this.number(i, ANY32, AsmErrorCode.IMM_RANGE, 'an immediate')));
  }

  /** A signed 32-bit relative distance (`gotol`, `call local`, code addresses). */
  simm32(i: number): number {
    return Number(this.number(i, S32, AsmErrorCode.IMM_RANGE, 'a jump distance'));
  }

  offset16(i: number): number {
    return Number(this.number(i, S16, AsmErrorCode.OFFSET_RANGE, 'an offset'));
  }

  imm64(i: number): bigint {
    return BigInt.asUintN(64, this.number(i, ANY64, AsmErrorCode.IMM_RANGE, 'a 64-bit immediate'));
  }
}

function describe(op: Operand): string {
  switch (op.kind) {
    case 'reg': return `register %r${op.reg}`;
    case 'num': return `number ${op.value}`;
    case 'name': return `name '${op.name}'`;
    case 'mem': return 'a memory reference';
  }
}
