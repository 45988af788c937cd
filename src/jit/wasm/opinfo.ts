/**
 * Facts derived from the opcode tables rather than written a second time: each
 * instruction's text name, the kind of immediate that follows it, and the natural
 * alignment of memory accesses. The builder uses them to reject misuse (an opcode with
 * immediates passed to `op()`), the disassembler to decode.
 */
import { AtomicOp, MiscOp, Op } from './opcodes.js';

/** What follows an opcode in the binary. */
export type Immediate =
  | 'none' | 'blocktype' | 'label' | 'br_table' | 'func' | 'call_indirect'
  | 'local' | 'global' | 'memarg' | 'zero' | 'zero2'
  | 'i32' | 'i64' | 'f32' | 'f64';

export interface OpInfo {
  /** Text-format name, e.g. `i64.extend_i32_s`. */
  readonly name: string;
  readonly immediate: Immediate;
  /** log2 of the access width in bytes, for memory accesses. */
  readonly alignLog2?: number;
}

/**
 * The text name of a table key: `I64_EXTEND_I32_S` -> `i64.extend_i32_s`,
 * `I32_ATOMIC_RMW8_ADD_U` -> `i32.atomic.rmw8.add_u`, `MEMORY_ATOMIC_WAIT32` ->
 * `memory.atomic.wait32`. The text format puts a dot after the type (or namespace) and
 * after `atomic` and `rmwN`; everything else keeps its underscores.
 */
export function opName(key: string): string {
  const k = key.toLowerCase();
  let m = /^(i32|i64|memory)_atomic_(rmw\d*)_(.+)$/.exec(k);
  if (m) return `${m[1]}.atomic.${m[2]}.${m[3]}`;
  m = /^(i32|i64|memory)_atomic_(.+)$/.exec(k);
  if (m) return `${m[1]}.atomic.${m[2]}`;
  if (k === 'atomic_fence') return 'atomic.fence';
  m = /^(i32|i64|f32|f64|local|global|memory)_(.+)$/.exec(k);
  return m ? `${m[1]}.${m[2]}` : k;
}

/** log2 of the bytes a memory instruction touches, from its name (`load16` -> 1, `i64.store` -> 3). */
function accessAlign(name: string): number | undefined {
  const m = /\.(?:atomic\.)?(load|store|rmw|wait|notify)(8|16|32|64)?/.exec(name);
  if (!m) return undefined;
  if (m[2] !== undefined) return Math.log2(Number(m[2]) / 8);
  if (m[1] === 'notify') return 2;
  return name.startsWith('i64') || name.startsWith('f64') ? 3 : 2;
}

function immediateOf(byte: number, name: string): Immediate {
  switch (byte) {
    case Op.BLOCK: case Op.LOOP: case Op.IF: return 'blocktype';
    case Op.BR: case Op.BR_IF: return 'label';
    case Op.BR_TABLE: return 'br_table';
    case Op.CALL: return 'func';
    case Op.CALL_INDIRECT: return 'call_indirect';
    case Op.LOCAL_GET: case Op.LOCAL_SET: case Op.LOCAL_TEE: return 'local';
    case Op.GLOBAL_GET: case Op.GLOBAL_SET: return 'global';
    case Op.MEMORY_SIZE: case Op.MEMORY_GROW: return 'zero';
    case Op.I32_CONST: return 'i32';
    case Op.I64_CONST: return 'i64';
    case Op.F32_CONST: return 'f32';
    case Op.F64_CONST: return 'f64';
    default: return accessAlign(name) === undefined ? 'none' : 'memarg';
  }
}

function buildTable(table: Record<string, number>, immediate: (byte: number, name: string) => Immediate): Map<number, OpInfo> {
  const out = new Map<number, OpInfo>();
  for (const [key, byte] of Object.entries(table)) {
    const name = opName(key);
    const imm = immediate(byte, name);
    const alignLog2 = imm === 'memarg' ? accessAlign(name) : undefined;
    out.set(byte, alignLog2 === undefined ? { name, immediate: imm } : { name, immediate: imm, alignLog2 });
  }
  return out;
}

const OPS = buildTable(Op, immediateOf);
const ATOMIC_OPS = buildTable(AtomicOp, (byte) => (byte === AtomicOp.ATOMIC_FENCE ? 'zero' : 'memarg'));
const MISC_OPS = buildTable(MiscOp, (byte) =>
  byte === MiscOp.MEMORY_COPY ? 'zero2' : byte === MiscOp.MEMORY_FILL ? 'zero' : 'none');

/** Facts about a single-byte opcode, or undefined if it is not in `Op`. */
export function opInfo(byte: number): OpInfo | undefined {
  return OPS.get(byte);
}

/** Facts about a 0xFE-prefixed opcode, or undefined if it is not in `AtomicOp`. */
export function atomicOpInfo(op: number): OpInfo | undefined {
  return ATOMIC_OPS.get(op);
}

/** Facts about a 0xFC-prefixed opcode, or undefined if it is not in `MiscOp`. */
export function miscOpInfo(op: number): OpInfo | undefined {
  return MISC_OPS.get(op);
}

/**
 * Opcodes `CodeBuilder.op()` accepts: no immediates and no effect on block nesting
 * (so `else`/`end` must go through the methods that keep the control stack).
 * A byte-indexed table because `op()` is the JIT's hottest call.
 */
export const PLAIN_OPS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const [byte, info] of OPS) {
    if (info.immediate === 'none' && byte !== Op.ELSE && byte !== Op.END) t[byte] = 1;
  }
  return t;
})();

/** Plain loads (0x28-0x35) and stores (0x36-0x3e). */
export function isLoad(byte: number): boolean {
  return byte >= Op.I32_LOAD && byte <= Op.I64_LOAD32_U;
}
export function isStore(byte: number): boolean {
  return byte >= Op.I32_STORE && byte <= Op.I64_STORE32;
}
