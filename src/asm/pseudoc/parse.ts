/**
 * The pseudo-C parser: text to a `ParsedProgram` for `link`. Statement shapes are
 * told apart by their first tokens (`exit`, `goto`, `call`, `if`, `lock`, `*`, a
 * register, `name:`); register and memory writes are in `assign.ts`.
 *
 * Names are resolved once the whole text is read, because a label may be defined
 * after its use: in `rN = name ll`, `name` is a code address (lddw src CODE_ADDR) when
 * it is a label of the program and a map (src MAP_IDX) otherwise.
 */
import type { SourceLocation } from '../../errors.js';
import { Class, CallSrc, JmpOp, LddwSrc, Source, insn } from '../../isa/index.js';
import { AsmErrorCode } from '../errors.js';
import { defineLabel, type AsmItem, type LabelDef, type ParsedProgram } from '../link.js';
import { parseAlu, parseAssignment, parseLock, parseStore, type Draft } from './assign.js';
import { Cursor } from './cursor.js';
import { tokenize } from './lexer.js';
import { JMP_OPERATORS } from './tables.js';

export interface PseudoCParseOptions {
  /** File name for error locations. */
  readonly file?: string;
}

/** Directives llvm-mc's own output starts with; they carry nothing for a single program. */
const IGNORED_DIRECTIVES: ReadonlySet<string> = new Set(['.text', '.globl', '.global']);

/**
 * Parses pseudo-C assembly (the syntax of llvm-mc / llvm-objdump and the kernel's
 * verifier log). Labels and map names stay symbolic; `link` resolves them.
 */
export function parsePseudoC(text: string, options: PseudoCParseOptions = {}): ParsedProgram {
  const items: AsmItem[] = [];
  const labels = new Map<string, LabelDef>();
  const symbols: { index: number; name: string }[] = [];

  for (const statement of tokenize(text, options.file)) {
    const c = new Cursor(statement, options.file);
    while (c.peek()?.kind === 'ident' && c.isAt(':', 1)) {
      const name = c.next('a label');
      if (c.asRegister(name)) c.fail(AsmErrorCode.BAD_OPERAND, `a register name cannot be a label: '${name.text}'`, name);
      c.next(':');
      defineLabel(labels, name.text, items.length, c.location(name));
    }
    if (c.atEnd()) continue;
    const location = c.location(c.peek());
    const draft = parseStatement(c);
    if (draft === undefined) continue;
    if (draft.symbol !== undefined) symbols.push({ index: items.length, name: draft.symbol });
    items.push(toItem(draft, location));
  }

  for (const { index, name } of symbols) {
    const item = items[index]!;
    items[index] = labels.has(name)
      ? { insn: { ...item.insn, src: LddwSrc.CODE_ADDR }, location: item.location, label: name }
      : { insn: item.insn, location: item.location, mapRef: name };
  }
  return { items, labels };
}

function toItem(draft: Draft, location: SourceLocation): AsmItem {
  const item: { insn: AsmItem['insn']; location: SourceLocation; label?: string; mapRef?: string } = { insn: draft.insn, location };
  if (draft.label !== undefined) item.label = draft.label;
  if (draft.mapRef !== undefined) item.mapRef = draft.mapRef;
  return item;
}

/** One statement, or undefined for an ignored directive. */
function parseStatement(c: Cursor): Draft | undefined {
  const first = c.peek()!;
  if (c.isRegisterAt()) {
    const dst = c.register();
    const op = c.next("'=' or an operator such as '+='");
    return op.text === '=' ? parseAssignment(c, dst) : parseAlu(c, dst, op);
  }
  if (first.text === '*') return parseStore(c);
  if (first.kind !== 'ident') {
    return c.fail(AsmErrorCode.SYNTAX, `expected an instruction or a label, found '${first.text}'`, first);
  }
  c.next('an instruction');
  switch (first.text) {
    case 'exit':
      c.end();
      return { insn: insn(JmpOp.EXIT | Class.JMP, 0, 0, 0, 0) };
    case 'goto':
    case 'gotol':
      return parseGoto(c, first.text === 'gotol');
    case 'if':
      return parseIf(c);
    case 'call':
      return parseCall(c);
    case 'callx': {
      const target = c.wideRegister('the register holding the call target');
      c.end();
      return { insn: insn(JmpOp.CALL | Source.X | Class.JMP, target.num, 0, 0, 0) };
    }
    case 'lock':
      return parseLock(c);
    default:
      if (IGNORED_DIRECTIVES.has(first.text)) return undefined;
      return c.fail(AsmErrorCode.UNKNOWN_MNEMONIC,
        first.text.startsWith('.') ? `unsupported directive '${first.text}'` : `unknown instruction '${first.text}'`, first);
  }
}

type Target = { readonly value: number } | { readonly label: string };

/**
 * A jump target: `+3`, `-2`, `3`, the verifier log's `pc+3`, or a label. `imm` targets
 * (`gotol`, local `call`) hold 32 bits, the others an s16 offset.
 */
function parseTarget(c: Cursor, imm: boolean): Target {
  if (c.isPcRelative()) c.next('pc');
  const t = c.peek();
  if (c.isNumberAt()) {
    const n = c.number();
    return { value: imm ? c.fitImm32(n, false, 'jump offset') : c.fitOffset(n, 'jump offset') };
  }
  if (t?.kind === 'ident' && !c.isRegisterAt()) {
    c.next('a label');
    return { label: t.text };
  }
  return c.fail(AsmErrorCode.BAD_OPERAND, `expected a jump target (+N, -N or a label), found ${t ? `'${t.text}'` : 'end of statement'}`, t);
}

function withTarget(opcode: number, dst: number, src: number, imm: number, target: Target, inImm: boolean): Draft {
  if ('label' in target) return { insn: insn(opcode, dst, src, 0, imm), label: target.label };
  return inImm ? { insn: insn(opcode, dst, src, 0, target.value) } : { insn: insn(opcode, dst, src, target.value, imm) };
}

/** `goto +2`, `gotol +70000`. */
function parseGoto(c: Cursor, long: boolean): Draft {
  const target = parseTarget(c, long);
  c.end();
  return withTarget(JmpOp.JA | (long ? Class.JMP32 : Class.JMP), 0, 0, 0, target, long);
}

/** `if r1 s> r2 goto +5`, `if w1 == 3 goto LBB0_2`. */
function parseIf(c: Cursor): Draft {
  const dst = c.register();
  const opToken = c.next('a comparison such as ==');
  const entry = JMP_OPERATORS.find(([text]) => text === opToken.text);
  if (entry === undefined) c.fail(AsmErrorCode.BAD_OPERAND, `expected a comparison such as '==' or 's>', found '${opToken.text}'`, opToken);
  const cls = dst.wide ? Class.JMP : Class.JMP32;
  let src = 0;
  let imm = 0;
  let source: number = Source.K;
  if (c.isRegisterAt()) {
    const r = c.register();
    if (r.wide !== dst.wide) {
      c.fail(AsmErrorCode.BAD_OPERAND, `compare registers of one width: ${dst.wide ? 'r' : 'w'}${r.num}`, r.token);
    }
    src = r.num;
    source = Source.X;
  } else {
    imm = c.imm32(!dst.wide);
  }
  c.expect('goto');
  const target = parseTarget(c, false);
  c.end();
  return withTarget(entry![1] | source | cls, dst.num, src, imm, target, false);
}

/**
 * `call 1` (helper), `call bpf_map_lookup_elem#1` (verifier log; the number counts),
 * `call pc+3` / `call label` (local function), `call kfunc(ID)` / `call kfunc(ID, MODULE)`.
 */
function parseCall(c: Cursor): Draft {
  const opcode = JmpOp.CALL | Class.JMP;
  const t = c.peek();
  let draft: Draft;
  if (c.isNumberAt()) {
    draft = { insn: insn(opcode, 0, CallSrc.HELPER, 0, c.imm32(false, 'helper id')) };
  } else if (c.isPcRelative()) {
    draft = withTarget(opcode, 0, CallSrc.LOCAL, 0, parseTarget(c, true), true);
  } else if (t?.text === 'kfunc' && c.isAt('(', 1)) {
    c.next('kfunc');
    c.expect('(');
    const id = c.imm32(true, 'kfunc BTF id');
    const module = c.accept(',') ? c.fitOffset(c.number('a module index'), 'kfunc module index') : 0;
    c.expect(')');
    draft = { insn: insn(opcode, 0, CallSrc.KFUNC, module, id) };
  } else if (t?.kind === 'ident' && c.isAt('#', 1)) {
    c.next('a helper name');
    c.next('#');
    draft = { insn: insn(opcode, 0, CallSrc.HELPER, 0, c.imm32(false, 'helper id')) };
  } else if (t?.kind === 'ident' && !c.isRegisterAt()) {
    draft = withTarget(opcode, 0, CallSrc.LOCAL, 0, parseTarget(c, true), true);
  } else if (c.isRegisterAt()) {
    return c.fail(AsmErrorCode.BAD_OPERAND, `to call through a register write 'callx ${t!.text}'`, t);
  } else {
    return c.fail(AsmErrorCode.BAD_OPERAND, `expected a helper id, a label or pc+N after 'call'`, t);
  }
  c.end();
  return draft;
}
