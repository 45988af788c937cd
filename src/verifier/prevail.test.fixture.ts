/**
 * The PREVAIL YAML corpus as a verifier test: each case's `pre` constraints become the
 * entry state, its labelled pseudo-C blocks become a program (PREVAIL's spellings
 * rewritten to ebee's, `assume` turned into a verifier assumption at the next pc), and
 * ebee's verdict, first error pc and exit state are compared with the case's
 * `messages` and `post`. Platform: Linux helper ids, a 64-byte context with data at 0
 * and data_end at 4, one map (fd 1, index 0) of key 4 / value 4 / 4 entries.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { link, parsePseudoC } from '../asm/index.js';
import { slotIndices, type Instruction } from '../isa/index.js';
import { helperPrototype } from '../helpers/index.js';
import { MapType } from '../maps/constants.js';
import { Scalar } from './scalar/index.js';
import { NOT_INIT_REG, makeReg } from './state.js';
import { RegType, type Assumption, type MapDescriptor, type Reg, type VerifierResult, type VerifyOptions } from './types.js';
import { verify } from './verify.js';
import { parseYamlStream } from './yaml.test.fixture.js';

export interface PrevailCase {
  readonly file: string;
  readonly name: string;
  readonly options: readonly string[];
  readonly pre: readonly string[];
  readonly code: ReadonlyMap<string, string>;
  readonly post: readonly string[];
  readonly messages: readonly string[];
}

export function loadCases(dir: string): PrevailCase[] {
  const out: PrevailCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'test-schema.yaml').sort()) {
    for (const doc of parseYamlStream(readFileSync(join(dir, file), 'utf8'))) {
      const name = doc.get('test-case');
      if (typeof name !== 'string') continue;
      const list = (k: string): string[] => { const v = doc.get(k); return Array.isArray(v) ? v : []; };
      const code = doc.get('code');
      out.push({
        file, name, options: list('options'), pre: list('pre'), post: list('post'), messages: list('messages'),
        code: code instanceof Map ? code : new Map(),
      });
    }
  }
  return out;
}

const MAP: MapDescriptor = { type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, name: 'map' };
const PROG_MAP: MapDescriptor = { type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, name: 'progs' };

/** PREVAIL's spelling of one statement in ebee's pseudo-C. */
function rewrite(stmt: string): string {
  let s = stmt;
  s = s.replace(/<([A-Za-z]\w*)>/g, (_m, l: string) => `L_${l}`);
  // Sign-extending moves: `r2 s8= r1` is `r2 = (s8)r1`.
  s = s.replace(/^([rw])(\d+) s(8|16|32)= [rw](\d+)$/, (_m, w: string, d: string, b: string, r: string) => `${w}${d} = (s${b})${w}${r}`);
  // A 32-bit operation names its source by its 32-bit half.
  if (/^w\d+ \S*= r\d+$/.test(s) || /^if w\d+ \S+ r\d+ goto/.test(s)) s = s.replace(/ r(\d+)( goto|$)/, ' w$1$2');
  // Immediates written as unsigned 32-bit numbers are the sign-extended imm field.
  if (!/ ll$|map_|mva/.test(s)) {
    s = s.replace(/([ (])(\d{10}|0x[0-9a-f]{8})\b/gi, (m, pre: string, n: string) => {
      const v = BigInt(n);
      return v >= 1n << 31n && v < 1n << 32n ? `${pre}${v - (1n << 32n)}` : m;
    });
  }
  s = s.replace(/=\s*map_fd\s+(\d+)/, '= map_fd($1) ll');
  s = s.replace(/=\s*map_val\((\d+)\)\s*\+\s*(\d+)/, '= map_value($1) + $2 ll');
  s = s.replace(/=\s*mva\(map_by_idx\((\d+)\)\)\s*\+\s*(\d+)/, '= map_idx_value($1) + $2 ll');
  s = s.replace(/=\s*map_by_idx\((\d+)\)/, '= map_idx($1) ll');
  s = s.replace(/=\s*(-?(?:0x[0-9a-f]+|\d+))ll$/i, '= $1 ll');
  s = s.replace(/\bswap(16|32|64)\b/, 'bswap$1');
  s = s.replace(/ &!= /, ' & ');
  const lock = /^lock\s+\*\((u\d+)\s*\*\)\((r\d+\s*[+-]\s*\d+)\)\s*(\+|&|\||\^|x|cx)=\s*(r\d+)(\s+fetch)?$/.exec(s);
  if (lock) {
    const [, ty, addr, op, reg, fetch] = lock;
    const names: Record<string, string> = { '+': 'add', '&': 'and', '|': 'or', '^': 'xor' };
    if (op === 'x') return `${reg} = atomic_xchg((${ty} *)(${addr}), ${reg})`;
    if (op === 'cx') return `r0 = atomic_cmpxchg((${ty} *)(${addr}), r0, ${reg})`;
    if (fetch) return `${reg} = atomic_fetch_${names[op!]}((${ty} *)(${addr}), ${reg})`;
  }
  return s;
}

export interface Translated {
  readonly insns: Instruction[];
  readonly assumptions: Map<number, Assumption[]>;
  /** PREVAIL's instruction number of each ebee pc. */
  readonly prevailPc: Map<number, number>;
}

/** The case's code as a program; throws (an AsmError) when a statement has no ebee spelling. */
export function translate(c: PrevailCase): Translated {
  const lines: string[] = [];
  const prevailOfLine: number[] = [];
  const assumeAt = new Map<number, string[]>(); // line index of the next instruction -> conditions
  let pending: string[] = [];
  let prevail = 0;
  let last = '';
  for (const [label, body] of c.code) {
    lines.push(`${rewrite(label)}:`);
    prevailOfLine.push(-1);
    for (const raw of body.split('\n')) {
      const stmt = raw.replace(/;.*$/, '').trim();
      if (!stmt) continue;
      const a = /^assume\s+(.*)$/.exec(stmt);
      if (a) { pending.push(a[1]!); prevail++; continue; }
      if (pending.length) { assumeAt.set(lines.length, pending); pending = []; }
      const text = rewrite(stmt);
      lines.push(text);
      prevailOfLine.push(prevail);
      prevail += / ll$/.test(text) ? 2 : 1;
      last = text;
    }
  }
  if (pending.length || !/^(exit|goto\b)/.test(last)) {
    if (pending.length) assumeAt.set(lines.length, pending);
    lines.push('exit');
    prevailOfLine.push(prevail);
  }
  const parsed = parsePseudoC(lines.join('\n'));
  const linked = link(parsed);
  const pcs = slotIndices(linked.insns);
  // Items are instructions only; map each back to its source line (labels take none).
  const itemLine: number[] = [];
  lines.forEach((l, k) => { if (!l.endsWith(':')) itemLine.push(k); });
  const prevailPc = new Map<number, number>();
  const assumptions = new Map<number, Assumption[]>();
  itemLine.forEach((line, item) => {
    const pc = pcs[item]!;
    prevailPc.set(pc, prevailOfLine[line]!);
    const conds = assumeAt.get(line);
    if (conds) {
      assumptions.set(pc, conds.map((cond) => {
        const j = link(parsePseudoC(rewrite(`if ${cond} goto +0`))).insns[0]!;
        return { opcode: j.opcode, dst: j.dst, src: j.src, imm: j.imm };
      }));
    }
  });
  return { insns: linked.insns, assumptions, prevailPc };
}

function parseRange(v: string): [bigint, bigint] | undefined {
  const m = /^\[\s*(-?\d+)\s*,\s*(-?\d+)\s*\]$/.exec(v.trim());
  if (m) return [BigInt(m[1]!), BigInt(m[2]!)];
  if (/^-?\d+$/.test(v.trim())) { const n = BigInt(v.trim()); return [n, n]; }
  return undefined;
}

type Facts = Map<string, string>;

function regFacts(pre: readonly string[]): Map<number, Facts> {
  const out = new Map<number, Facts>();
  for (const c of pre) {
    const m = /^r(\d+)\.(\w+)=(.*)$/.exec(c);
    if (!m) continue;
    const r = Number(m[1]);
    const facts = out.get(r) ?? new Map<string, string>();
    facts.set(m[2]!, m[3]!.trim());
    out.set(r, facts);
  }
  return out;
}

function scalarOf(f: Facts): Scalar {
  let v = Scalar.unknown();
  const s = parseRange(f.get('svalue') ?? '');
  const u = parseRange(f.get('uvalue') ?? '');
  if (s) v = v.meet(Scalar.fromSignedRange(s[0], s[1])) ?? v;
  if (u) v = v.meet(Scalar.fromUnsignedRange(BigInt.asUintN(64, u[0]), BigInt.asUintN(64, u[1]))) ?? v;
  return v;
}

let idSeq = 1_000_000;

function entryReg(f: Facts, packetSize: [bigint, bigint] | undefined): Reg | undefined {
  const off = (k: string): number => Number(parseRange(f.get(k) ?? '0')?.[0] ?? 0n);
  const addr = parseRange(f.get('svalue') ?? f.get('uvalue') ?? '');
  const maybeNull = addr !== undefined && addr[0] <= 0n;
  switch (f.get('type')) {
    case 'number': return makeReg(RegType.SCALAR, { value: scalarOf(f) });
    case 'ctx': return makeReg(RegType.CTX, { off: off('ctx_offset') });
    case 'stack': return makeReg(RegType.STACK, { off: off('stack_offset') - 512 });
    case 'packet': {
      if (f.get('packet_offset') === 'packet_size') return makeReg(RegType.PACKET_END);
      const r = parseRange(f.get('packet_offset') ?? '0') ?? [0n, 0n];
      const base = Number(r[0]);
      const value = r[0] === r[1] ? Scalar.constant(0n) : Scalar.fromUnsignedRange(0n, r[1] - r[0]);
      const range = packetSize && r[0] === r[1] && packetSize[0] > r[0] ? Number(packetSize[0] - r[0]) : 0;
      return makeReg(RegType.PACKET, { off: base, value, range, id: r[0] === r[1] ? 0 : ++idSeq });
    }
    case 'shared': {
      const size = Number(parseRange(f.get('shared_region_size') ?? '0')?.[0] ?? 0n);
      const desc: MapDescriptor = size === MAP.valueSize ? MAP : { ...MAP, valueSize: size };
      return makeReg(RegType.MAP_VALUE, { off: off('shared_offset'), map: { handle: 1, desc }, maybeNull, id: maybeNull ? ++idSeq : 0 });
    }
    case 'map_fd': return makeReg(RegType.MAP_PTR, { map: { handle: off('map_fd'), desc: MAP } });
    case 'map_fd_programs': return makeReg(RegType.MAP_PTR, { map: { handle: off('map_fd'), desc: PROG_MAP } });
    default: return undefined;
  }
}

/** The verifier options for a case. */
export function caseOptions(c: PrevailCase, t: Translated): VerifyOptions {
  const facts = regFacts(c.pre);
  const psize = c.pre.map((p) => /^packet_size=(.*)$/.exec(p)?.[1]).find((x) => x !== undefined);
  const packetSize = psize === undefined ? undefined : parseRange(psize);
  const entryRegs = new Map<number, Reg>();
  for (let r = 0; r <= 10; r++) {
    const f = facts.get(r);
    const reg = f ? entryReg(f, packetSize) : undefined;
    entryRegs.set(r, reg ?? NOT_INIT_REG);
  }
  const entryStack: { off: number; size: number; value?: Reg }[] = [];
  const stackFacts = new Map<string, Facts>();
  for (const p of c.pre) {
    const m = /^s\[(\d+)\.\.\.(\d+)\]\.(\w+)=(.*)$/.exec(p);
    if (!m) continue;
    const key = `${m[1]}:${m[2]}`;
    const f = stackFacts.get(key) ?? new Map<string, string>();
    f.set(m[3]!, m[4]!);
    stackFacts.set(key, f);
  }
  for (const [key, f] of stackFacts) {
    const [lo, hi] = key.split(':').map(Number) as [number, number];
    if (f.get('type') !== 'number') continue;
    const size = hi - lo + 1;
    const value = f.has('svalue') || f.has('uvalue') ? makeReg(RegType.SCALAR, { value: scalarOf(f) }) : undefined;
    entryStack.push(value && size === 8 && lo % 8 === 0 ? { off: lo - 512, size, value } : { off: lo - 512, size });
  }
  return {
    helperPrototype, maps: new Map([[0, MAP], [1, MAP]]), logLevel: 0, entryRegs, entryStack,
    // The cases are a few instructions; a loop that needs more than this never ends.
    insnLimit: 100_000,
    assumptions: t.assumptions, exitChecks: false, allowCallx: true, recordStates: false, mapHelperCompatibility: false,
    allowDivisionByZero: !c.options.includes('!allow_division_by_zero'),
    // PREVAIL rejects reads of never-written stack, as unprivileged Linux does.
    allowUninitStack: false,
    termination: c.options.includes('termination'),
  };
}

/** The first error PREVAIL reports (warnings about unreachable code and observations aside). */
export function expectedError(c: PrevailCase): { pc: number | undefined; text: string } | undefined {
  for (const m of c.messages) {
    if (/Code becomes unreachable|observation .* failed/.test(m)) continue;
    const pm = /^(\d+)(?:[:/])/.exec(m);
    return { pc: pm ? Number(pm[1]) : undefined, text: m };
  }
  return undefined;
}

function holds(v: Scalar, kind: 'svalue' | 'uvalue', r: [bigint, bigint]): boolean {
  if (kind === 'svalue') return v.smin >= r[0] && v.smax <= r[1];
  return v.umin >= BigInt.asUintN(64, r[0]) && v.umax <= BigInt.asUintN(64, r[1]) && r[0] >= 0n;
}

/** PREVAIL's valid pointer addresses on its test platform. */
const POINTER_RANGE: [bigint, bigint] = [4098n, 2147418112n];

function regEntails(reg: Reg, field: string, value: string): boolean {
  const typeOf: Record<string, string> = {
    number: RegType.SCALAR, ctx: RegType.CTX, stack: RegType.STACK, packet: RegType.PACKET, shared: RegType.MAP_VALUE,
    map_fd: RegType.MAP_PTR, map_fd_programs: RegType.MAP_PTR,
  };
  const fixed = (): [bigint, bigint] | undefined => (reg.value.isConstant() ? undefined : [reg.value.smin, reg.value.smax]);
  const offIn = (base: number, want: string): boolean => {
    const r = parseRange(want);
    if (!r) return false;
    const v = fixed();
    const lo = BigInt(reg.off) + (v ? v[0] : BigInt.asIntN(64, reg.value.constantValue()!));
    const hi = BigInt(reg.off) + (v ? v[1] : BigInt.asIntN(64, reg.value.constantValue()!));
    return lo + BigInt(base) >= r[0] && hi + BigInt(base) <= r[1];
  };
  switch (field) {
    case 'type':
      if (value === 'packet') return (reg.type === RegType.PACKET || reg.type === RegType.PACKET_END) && !reg.maybeNull;
      return typeOf[value] === reg.type;
    case 'svalue': case 'uvalue': {
      if (value === 'r' + '') return false;
      const m = /^r(\d+)\.svalue$/.exec(value);
      if (m && field === 'uvalue') return reg.type === RegType.SCALAR && reg.value.smin >= 0n; // u == s of the same register
      const r = parseRange(value);
      if (!r) return false;
      if (reg.type === RegType.SCALAR) return holds(reg.value, field, r);
      if (reg.type === RegType.NOT_INIT || reg.maybeNull) return false;
      return r[0] <= POINTER_RANGE[0] && r[1] >= POINTER_RANGE[1] && reg.off === 0 && reg.value.isConstant();
    }
    case 'stack_offset': return reg.type === RegType.STACK && offIn(512, value);
    case 'ctx_offset': return reg.type === RegType.CTX && offIn(0, value);
    case 'packet_offset':
      if (value === 'packet_size') return reg.type === RegType.PACKET_END;
      return reg.type === RegType.PACKET && offIn(0, value);
    case 'shared_offset': return reg.type === RegType.MAP_VALUE && offIn(0, value);
    case 'shared_region_size': return reg.type === RegType.MAP_VALUE && String(reg.map?.desc.valueSize) === value;
    case 'map_fd': return reg.type === RegType.MAP_PTR && String(reg.map?.handle) === value;
    default: return false;
  }
}

/** Whether ebee's exit states (all of them) prove one `post` constraint. */
export function entails(result: VerifierResult, constraint: string): boolean {
  const exits = result.ok ? result.exitStates : [];
  if (constraint === '_|_') return exits.length === 0;
  if (exits.length === 0) return false; // ebee found no exit state: it proves nothing it was asked
  const m = /^r(\d+)\.(\w+)=(.*)$/.exec(constraint);
  if (m) return exits.every((e) => regEntails(e.regs[Number(m[1])]!, m[2]!, m[3]!.trim()));
  const s = /^s\[(\d+)\.\.\.(\d+)\]\.(\w+)=(.*)$/.exec(constraint);
  if (s) {
    const lo = Number(s[1]) - 512;
    const size = Number(s[2]) - Number(s[1]) + 1;
    return exits.every((e) => {
      const spill = e.stack.get(lo);
      if (s[3] === 'type') return s[4] === 'number' && size === 8 && spill?.type === RegType.SCALAR;
      return size === 8 && spill !== undefined && regEntails(spill, s[3]!, s[4]!);
    });
  }
  return false;
}

export interface CaseOutcome {
  readonly name: string;
  readonly verdictOk: boolean;
  /** Both reject and PREVAIL's error pc is known: whether ebee's error is at the same instruction. */
  readonly errorPcOk?: boolean;
  readonly postEntailed: number;
  readonly postTotal: number;
  readonly translated: boolean;
}

export function runCase(c: PrevailCase): CaseOutcome {
  const expected = expectedError(c);
  let t: Translated;
  try {
    t = translate(c);
  } catch {
    return { name: `${c.file}: ${c.name}`, verdictOk: false, postEntailed: 0, postTotal: c.post.length, translated: false };
  }
  const r = verify(t.insns, caseOptions(c, t));
  const verdictOk = r.ok === (expected === undefined);
  const out: { -readonly [K in keyof CaseOutcome]: CaseOutcome[K] } = {
    name: `${c.file}: ${c.name}`, verdictOk, translated: true, postTotal: c.post.length,
    postEntailed: c.post.filter((p) => entails(r, p)).length,
  };
  if (!r.ok && expected?.pc !== undefined && r.error) out.errorPcOk = t.prevailPc.get(r.error.pc) === expected.pc;
  return out;
}
