/**
 * Beyond the kernel: every rejection explained. The failing instruction (and its C
 * source line when line info exists), the branches taken to get there, how the
 * offending register got its value (walking the path backwards through the
 * instructions that wrote it), and what would make the program safe.
 */
import type { Instruction } from '../isa/index.js';
import { Class, Mode, classOf } from '../isa/index.js';
import { usesDefs } from './cfg.js';
import type { Reject } from './reject.js';
import type { Explanation } from './types.js';

/** A path as a persistent list of executed pcs (newest first), shared between forks. */
export interface Trail {
  readonly pc: number;
  readonly prev: Trail | null;
}

const HINTS: Readonly<Record<string, string>> = {
  null_check: 'the pointer may be NULL (a map lookup or reservation can fail): test it first, e.g. `if (r0 == 0) goto out`, and use it only on the non-NULL branch',
  packet_check: 'prove the access is inside the packet first: compare the pointer plus the access size with data_end, e.g. `r2 = r1; r2 += 14; if r2 > r3 goto drop`, then access through r1',
  bounds_check: 'bound the offset before using it: an unsigned comparison such as `if (idx >= N) goto out` (or `idx &= N - 1`) keeps the access inside the object',
  uninit_stack: 'the stack bytes are read before being written on this path: initialise them first (e.g. store zeros, or memset the struct) before reading them or passing them to a helper',
  uninit_reg: 'the register is read before anything was written to it on this path: set it on every path that reaches this instruction',
  ref_leak: 'a reference acquired on this path is never released: call bpf_ringbuf_submit or bpf_ringbuf_discard (or the matching release helper) on every path, including error paths',
  ctx_access: "the context allows only its fields at their declared offsets and sizes; read-only fields cannot be written",
};

export function explain(err: Reject, code: readonly (Instruction | null)[], trail: Trail | null, path: readonly string[],
  insnText: (pc: number) => string, lineInfo?: ReadonlyMap<number, string>): Explanation {
  const insn = err.pc >= 0 && code[err.pc] ? insnText(err.pc) : `${err.pc}: <program>`;
  const defChain: string[] = [];
  if (err.reg !== undefined && err.reg !== 10) {
    let want = err.reg;
    // The failing instruction itself is first on the trail; start before it.
    let t = trail && trail.pc === err.pc ? trail.prev : trail;
    let steps = 0;
    while (t && steps++ < 4096 && defChain.length < 8) {
      const i = code[t.pc];
      if (i) {
        const [use, def] = usesDefs(i);
        if (def & (1 << want)) {
          defChain.push(insnText(t.pc));
          const cls = classOf(i.opcode);
          const x = (i.opcode & 0x08) !== 0;
          const op = i.opcode & 0xf0;
          if ((cls === Class.ALU || cls === Class.ALU64) && op === 0xb0 && x) want = i.src;
          else if ((cls === Class.ALU || cls === Class.ALU64) && x && !(use & (1 << want))) want = i.src;
          else if (!(use & (1 << want)) || (cls === Class.LD && (i.opcode & 0xe0) === Mode.IMM)) break;
          else if (cls === Class.LDX || (cls === Class.JMP)) break;
        }
      }
      t = t.prev;
    }
  }
  const hint = err.hint ? HINTS[err.hint] : undefined;
  const source = lineInfo?.get(err.pc);
  const lines = [`error at ${insn}: ${err.reason}`];
  if (source) lines.push(`source: ${source}`);
  if (path.length) lines.push('path:', ...path.map((p) => '  ' + p));
  if (defChain.length) lines.push(`R${err.reg} came from:`, ...defChain.map((d) => '  ' + d));
  if (hint) lines.push(`hint: ${hint}`);
  const out: { -readonly [K in keyof Explanation]: Explanation[K] } = { insn, path, defChain, text: lines.join('\n') };
  if (source) out.source = source;
  if (hint) out.hint = hint;
  return out;
}
