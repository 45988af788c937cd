/**
 * The interpreter's hot loop: a `switch` over the opcode byte of a struct-of-arrays
 * program, registers as int32 halves (see `u64.ts`). Semantics are RFC 9669's exactly:
 * division by zero gives 0 and modulo by zero leaves dst unchanged, INT_MIN / -1 wraps,
 * shift amounts are masked, 32-bit results are zero-extended.
 *
 * Each case ends with `break` and the shared `pc++`; a taken jump adds its offset
 * first. Memory accesses go through `Execution.readAddress`/`writeAddress`, whose fast
 * path (the last region hit) V8 inlines.
 */
import { VmError, VmErrorCode } from './errors.js';
import { CODE_ADDRESS_TAG, type Execution } from './execution.js';
import { arsh64, bswap16, bswap32, DIVMOD, lsh64, mul64, rsh64, sdivmod64, udivmod64 } from './u64.js';
import { atomic } from './atomic.js';
import { packetLoad } from './packet.js';

const gtU = (ah: number, al: number, bh: number, bl: number): boolean =>
  (ah >>> 0) > (bh >>> 0) || (ah === bh && (al >>> 0) > (bl >>> 0));
const geU = (ah: number, al: number, bh: number, bl: number): boolean =>
  (ah >>> 0) > (bh >>> 0) || (ah === bh && (al >>> 0) >= (bl >>> 0));
const gtS = (ah: number, al: number, bh: number, bl: number): boolean =>
  ah > bh || (ah === bh && (al >>> 0) > (bl >>> 0));
const geS = (ah: number, al: number, bh: number, bl: number): boolean =>
  ah > bh || (ah === bh && (al >>> 0) >= (bl >>> 0));

/**
 * Executes at most `limit` instructions of `ex`, stopping early when the program
 * exits or, for a host-invoked callback, when its frame at `stopDepth` returns.
 */
export function interpret(ex: Execution, limit: number, stopDepth = 0): void {
  const P = ex.program;
  const op = P.opcode, dstA = P.dst, srcA = P.src, offA = P.offset, immA = P.imm, immHiA = P.immHi;
  const end = P.length;
  const L = ex.lo, H = ex.hi;
  let dv = ex.space.view;
  let bytes = ex.space.bytes;
  let pc = ex.pc;
  let n = 0;
  try {
    while (n < limit) {
      n++;
      const d = dstA[pc]!;
      switch (op[pc]) {
        // ---- ALU64, immediate operand (sign-extended) ----
        case 0x07: { const b = immA[pc]!, a = L[d]!, r = (a + b) | 0; H[d] = (H[d]! + (b >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; L[d] = r; break; }
        case 0x17: { const b = immA[pc]!, a = L[d]!; L[d] = (a - b) | 0; H[d] = (H[d]! - (b >> 31) - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0; break; }
        case 0x27: { const b = immA[pc]!; mul64(L, H, d, b, b >> 31); break; }
        case 0x37: { const b = immA[pc]!; div64(L, H, d, b, b >> 31, offA[pc]!); break; }
        case 0x47: { const b = immA[pc]!; L[d] = L[d]! | b; H[d] = H[d]! | (b >> 31); break; }
        case 0x57: { const b = immA[pc]!; L[d] = L[d]! & b; H[d] = H[d]! & (b >> 31); break; }
        case 0x67: lsh64(L, H, d, immA[pc]! & 63); break;
        case 0x77: rsh64(L, H, d, immA[pc]! & 63); break;
        case 0x87: { const a = L[d]!; L[d] = -a | 0; H[d] = (~H[d]! + (a === 0 ? 1 : 0)) | 0; break; }
        case 0x97: { const b = immA[pc]!; mod64(L, H, d, b, b >> 31, offA[pc]!); break; }
        case 0xa7: { const b = immA[pc]!; L[d] = L[d]! ^ b; H[d] = H[d]! ^ (b >> 31); break; }
        case 0xb7: { const b = immA[pc]!; L[d] = b; H[d] = b >> 31; break; }
        case 0xc7: arsh64(L, H, d, immA[pc]! & 63); break;
        case 0xd7: swap(L, H, d, immA[pc]!, true); break;
        // ---- ALU64, register operand ----
        case 0x0f: { const s = srcA[pc]!, bl = L[s]!, bh = H[s]!, a = L[d]!, r = (a + bl) | 0; H[d] = (H[d]! + bh + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; L[d] = r; break; }
        case 0x1f: { const s = srcA[pc]!, bl = L[s]!, bh = H[s]!, a = L[d]!; L[d] = (a - bl) | 0; H[d] = (H[d]! - bh - ((a >>> 0) < (bl >>> 0) ? 1 : 0)) | 0; break; }
        case 0x2f: { const s = srcA[pc]!; mul64(L, H, d, L[s]!, H[s]!); break; }
        case 0x3f: { const s = srcA[pc]!; div64(L, H, d, L[s]!, H[s]!, offA[pc]!); break; }
        case 0x4f: { const s = srcA[pc]!; L[d] = L[d]! | L[s]!; H[d] = H[d]! | H[s]!; break; }
        case 0x5f: { const s = srcA[pc]!; L[d] = L[d]! & L[s]!; H[d] = H[d]! & H[s]!; break; }
        case 0x6f: lsh64(L, H, d, L[srcA[pc]!]! & 63); break;
        case 0x7f: rsh64(L, H, d, L[srcA[pc]!]! & 63); break;
        case 0x9f: { const s = srcA[pc]!; mod64(L, H, d, L[s]!, H[s]!, offA[pc]!); break; }
        case 0xaf: { const s = srcA[pc]!; L[d] = L[d]! ^ L[s]!; H[d] = H[d]! ^ H[s]!; break; }
        case 0xbf: {
          const s = srcA[pc]!, o = offA[pc]!;
          const v = o === 0 ? L[s]! : o === 8 ? (L[s]! << 24) >> 24 : o === 16 ? (L[s]! << 16) >> 16 : L[s]!;
          H[d] = o === 0 ? H[s]! : v >> 31; L[d] = v; break;
        }
        case 0xcf: arsh64(L, H, d, L[srcA[pc]!]! & 63); break;
        // ---- ALU (32-bit; results zero-extended) ----
        case 0x04: L[d] = (L[d]! + immA[pc]!) | 0; H[d] = 0; break;
        case 0x0c: L[d] = (L[d]! + L[srcA[pc]!]!) | 0; H[d] = 0; break;
        case 0x14: L[d] = (L[d]! - immA[pc]!) | 0; H[d] = 0; break;
        case 0x1c: L[d] = (L[d]! - L[srcA[pc]!]!) | 0; H[d] = 0; break;
        case 0x24: L[d] = Math.imul(L[d]!, immA[pc]!); H[d] = 0; break;
        case 0x2c: L[d] = Math.imul(L[d]!, L[srcA[pc]!]!); H[d] = 0; break;
        case 0x34: L[d] = div32(L[d]!, immA[pc]!, offA[pc]!); H[d] = 0; break;
        case 0x3c: L[d] = div32(L[d]!, L[srcA[pc]!]!, offA[pc]!); H[d] = 0; break;
        case 0x44: L[d] = L[d]! | immA[pc]!; H[d] = 0; break;
        case 0x4c: L[d] = L[d]! | L[srcA[pc]!]!; H[d] = 0; break;
        case 0x54: L[d] = L[d]! & immA[pc]!; H[d] = 0; break;
        case 0x5c: L[d] = L[d]! & L[srcA[pc]!]!; H[d] = 0; break;
        case 0x64: L[d] = L[d]! << (immA[pc]! & 31); H[d] = 0; break;
        case 0x6c: L[d] = L[d]! << (L[srcA[pc]!]! & 31); H[d] = 0; break;
        case 0x74: L[d] = L[d]! >>> (immA[pc]! & 31); H[d] = 0; break;
        case 0x7c: L[d] = L[d]! >>> (L[srcA[pc]!]! & 31); H[d] = 0; break;
        case 0x84: L[d] = -L[d]! | 0; H[d] = 0; break;
        case 0x94: L[d] = mod32(L[d]!, immA[pc]!, offA[pc]!); H[d] = 0; break;
        case 0x9c: L[d] = mod32(L[d]!, L[srcA[pc]!]!, offA[pc]!); H[d] = 0; break;
        case 0xa4: L[d] = L[d]! ^ immA[pc]!; H[d] = 0; break;
        case 0xac: L[d] = L[d]! ^ L[srcA[pc]!]!; H[d] = 0; break;
        case 0xb4: L[d] = immA[pc]!; H[d] = 0; break;
        case 0xbc: {
          const v = L[srcA[pc]!]!, o = offA[pc]!;
          L[d] = o === 8 ? (v << 24) >> 24 : o === 16 ? (v << 16) >> 16 : v; H[d] = 0; break;
        }
        case 0xc4: L[d] = L[d]! >> (immA[pc]! & 31); H[d] = 0; break;
        case 0xcc: L[d] = L[d]! >> (L[srcA[pc]!]! & 31); H[d] = 0; break;
        case 0xd4: { const w = immA[pc]!; if (w === 16) L[d] = L[d]! & 0xffff; if (w !== 64) H[d] = 0; break; }
        case 0xdc: swap(L, H, d, immA[pc]!, false); break;
        // ---- JMP: 64-bit comparisons ----
        case 0x05: pc += offA[pc]!; break;
        case 0x15: { const b = immA[pc]!; if (L[d] === b && H[d] === b >> 31) pc += offA[pc]!; break; }
        case 0x1d: { const s = srcA[pc]!; if (L[d] === L[s] && H[d] === H[s]) pc += offA[pc]!; break; }
        case 0x25: { const b = immA[pc]!; if (gtU(H[d]!, L[d]!, b >> 31, b)) pc += offA[pc]!; break; }
        case 0x2d: { const s = srcA[pc]!; if (gtU(H[d]!, L[d]!, H[s]!, L[s]!)) pc += offA[pc]!; break; }
        case 0x35: { const b = immA[pc]!; if (geU(H[d]!, L[d]!, b >> 31, b)) pc += offA[pc]!; break; }
        case 0x3d: { const s = srcA[pc]!; if (geU(H[d]!, L[d]!, H[s]!, L[s]!)) pc += offA[pc]!; break; }
        case 0x45: { const b = immA[pc]!; if ((L[d]! & b) !== 0 || (H[d]! & (b >> 31)) !== 0) pc += offA[pc]!; break; }
        case 0x4d: { const s = srcA[pc]!; if ((L[d]! & L[s]!) !== 0 || (H[d]! & H[s]!) !== 0) pc += offA[pc]!; break; }
        case 0x55: { const b = immA[pc]!; if (L[d] !== b || H[d] !== b >> 31) pc += offA[pc]!; break; }
        case 0x5d: { const s = srcA[pc]!; if (L[d] !== L[s] || H[d] !== H[s]) pc += offA[pc]!; break; }
        case 0x65: { const b = immA[pc]!; if (gtS(H[d]!, L[d]!, b >> 31, b)) pc += offA[pc]!; break; }
        case 0x6d: { const s = srcA[pc]!; if (gtS(H[d]!, L[d]!, H[s]!, L[s]!)) pc += offA[pc]!; break; }
        case 0x75: { const b = immA[pc]!; if (geS(H[d]!, L[d]!, b >> 31, b)) pc += offA[pc]!; break; }
        case 0x7d: { const s = srcA[pc]!; if (geS(H[d]!, L[d]!, H[s]!, L[s]!)) pc += offA[pc]!; break; }
        case 0xa5: { const b = immA[pc]!; if (gtU(b >> 31, b, H[d]!, L[d]!)) pc += offA[pc]!; break; }
        case 0xad: { const s = srcA[pc]!; if (gtU(H[s]!, L[s]!, H[d]!, L[d]!)) pc += offA[pc]!; break; }
        case 0xb5: { const b = immA[pc]!; if (geU(b >> 31, b, H[d]!, L[d]!)) pc += offA[pc]!; break; }
        case 0xbd: { const s = srcA[pc]!; if (geU(H[s]!, L[s]!, H[d]!, L[d]!)) pc += offA[pc]!; break; }
        case 0xc5: { const b = immA[pc]!; if (gtS(b >> 31, b, H[d]!, L[d]!)) pc += offA[pc]!; break; }
        case 0xcd: { const s = srcA[pc]!; if (gtS(H[s]!, L[s]!, H[d]!, L[d]!)) pc += offA[pc]!; break; }
        case 0xd5: { const b = immA[pc]!; if (geS(b >> 31, b, H[d]!, L[d]!)) pc += offA[pc]!; break; }
        case 0xdd: { const s = srcA[pc]!; if (geS(H[s]!, L[s]!, H[d]!, L[d]!)) pc += offA[pc]!; break; }
        // ---- JMP32: low halves only ----
        case 0x06: pc += immA[pc]!; break;
        case 0x16: if (L[d] === immA[pc]) pc += offA[pc]!; break;
        case 0x1e: if (L[d] === L[srcA[pc]!]) pc += offA[pc]!; break;
        case 0x26: if ((L[d]! >>> 0) > (immA[pc]! >>> 0)) pc += offA[pc]!; break;
        case 0x2e: if ((L[d]! >>> 0) > (L[srcA[pc]!]! >>> 0)) pc += offA[pc]!; break;
        case 0x36: if ((L[d]! >>> 0) >= (immA[pc]! >>> 0)) pc += offA[pc]!; break;
        case 0x3e: if ((L[d]! >>> 0) >= (L[srcA[pc]!]! >>> 0)) pc += offA[pc]!; break;
        case 0x46: if ((L[d]! & immA[pc]!) !== 0) pc += offA[pc]!; break;
        case 0x4e: if ((L[d]! & L[srcA[pc]!]!) !== 0) pc += offA[pc]!; break;
        case 0x56: if (L[d] !== immA[pc]) pc += offA[pc]!; break;
        case 0x5e: if (L[d] !== L[srcA[pc]!]) pc += offA[pc]!; break;
        case 0x66: if (L[d]! > immA[pc]!) pc += offA[pc]!; break;
        case 0x6e: if (L[d]! > L[srcA[pc]!]!) pc += offA[pc]!; break;
        case 0x76: if (L[d]! >= immA[pc]!) pc += offA[pc]!; break;
        case 0x7e: if (L[d]! >= L[srcA[pc]!]!) pc += offA[pc]!; break;
        case 0xa6: if ((L[d]! >>> 0) < (immA[pc]! >>> 0)) pc += offA[pc]!; break;
        case 0xae: if ((L[d]! >>> 0) < (L[srcA[pc]!]! >>> 0)) pc += offA[pc]!; break;
        case 0xb6: if ((L[d]! >>> 0) <= (immA[pc]! >>> 0)) pc += offA[pc]!; break;
        case 0xbe: if ((L[d]! >>> 0) <= (L[srcA[pc]!]! >>> 0)) pc += offA[pc]!; break;
        case 0xc6: if (L[d]! < immA[pc]!) pc += offA[pc]!; break;
        case 0xce: if (L[d]! < L[srcA[pc]!]!) pc += offA[pc]!; break;
        case 0xd6: if (L[d]! <= immA[pc]!) pc += offA[pc]!; break;
        case 0xde: if (L[d]! <= L[srcA[pc]!]!) pc += offA[pc]!; break;
        // ---- Calls and exit: state goes back to the Execution around them ----
        case 0x85:
        case 0x8d: {
          ex.executed += n; ex.remaining -= n; limit -= n; n = 0;
          ex.pc = pc;
          const local = op[pc] === 0x85 ? callTarget(ex, pc) : callxTarget(ex, pc);
          if (local >= 0) {
            ex.enterFunction(local, pc + 1, pc);
            pc = ex.pc;
            continue;
          }
          ex.callHelper(op[pc] === 0x85 ? immA[pc]! : L[d]!, pc);
          limit = Math.min(limit, ex.remaining);
          dv = ex.space.view;
          bytes = ex.space.bytes;
          break;
        }
        case 0x95:
          ex.pc = pc;
          ex.leaveFunction();
          if (ex.done || ex.depth < stopDepth) { pc = ex.pc; return; }
          pc = ex.pc;
          continue;
        // ---- Loads and stores ----
        case 0x61: { const s = srcA[pc]!; const a = ex.readAddress((L[s]! >>> 0) + offA[pc]!, H[s]!, 4, pc); L[d] = dv.getInt32(a, true); H[d] = 0; break; }
        case 0x69: { const s = srcA[pc]!; const a = ex.readAddress((L[s]! >>> 0) + offA[pc]!, H[s]!, 2, pc); L[d] = dv.getUint16(a, true); H[d] = 0; break; }
        case 0x71: { const s = srcA[pc]!; const a = ex.readAddress((L[s]! >>> 0) + offA[pc]!, H[s]!, 1, pc); L[d] = bytes[a]!; H[d] = 0; break; }
        case 0x79: { const s = srcA[pc]!; const a = ex.readAddress((L[s]! >>> 0) + offA[pc]!, H[s]!, 8, pc); L[d] = dv.getInt32(a, true); H[d] = dv.getInt32(a + 4, true); break; }
        case 0x81: { const s = srcA[pc]!; const a = ex.readAddress((L[s]! >>> 0) + offA[pc]!, H[s]!, 4, pc); const v = dv.getInt32(a, true); L[d] = v; H[d] = v >> 31; break; }
        case 0x89: { const s = srcA[pc]!; const a = ex.readAddress((L[s]! >>> 0) + offA[pc]!, H[s]!, 2, pc); const v = dv.getInt16(a, true); L[d] = v; H[d] = v >> 31; break; }
        case 0x91: { const s = srcA[pc]!; const a = ex.readAddress((L[s]! >>> 0) + offA[pc]!, H[s]!, 1, pc); const v = (bytes[a]! << 24) >> 24; L[d] = v; H[d] = v >> 31; break; }
        case 0x62: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 4, pc); dv.setInt32(a, immA[pc]!, true); break; }
        case 0x6a: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 2, pc); dv.setInt16(a, immA[pc]!, true); break; }
        case 0x72: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 1, pc); bytes[a] = immA[pc]!; break; }
        case 0x7a: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 8, pc); const v = immA[pc]!; dv.setInt32(a, v, true); dv.setInt32(a + 4, v >> 31, true); break; }
        case 0x63: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 4, pc); dv.setInt32(a, L[srcA[pc]!]!, true); break; }
        case 0x6b: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 2, pc); dv.setInt16(a, L[srcA[pc]!]!, true); break; }
        case 0x73: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 1, pc); bytes[a] = L[srcA[pc]!]!; break; }
        case 0x7b: { const s = srcA[pc]!; const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 8, pc); dv.setInt32(a, L[s]!, true); dv.setInt32(a + 4, H[s]!, true); break; }
        case 0xc3: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 4, pc); atomic(L, H, dv, a, srcA[pc]!, immA[pc]!, false); break; }
        case 0xdb: { const a = ex.writeAddress((L[d]! >>> 0) + offA[pc]!, H[d]!, 8, pc); atomic(L, H, dv, a, srcA[pc]!, immA[pc]!, true); break; }
        case 0x18: {
          const src = srcA[pc]!;
          if (src === 0) { L[d] = immA[pc]!; H[d] = immHiA[pc]!; }
          else if (src === 4) { L[d] = pc + 1 + immA[pc]!; H[d] = CODE_ADDRESS_TAG; }
          else throw new VmError(VmErrorCode.UNSUPPORTED, `lddw with pseudo source ${src} must be resolved by the loader before running`, { pc });
          pc++;
          break;
        }
        case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50:
          ex.pc = pc;
          if (!packetLoad(ex, op[pc]!, srcA[pc]!, immA[pc]!, pc, dv)) { ex.done = true; return; }
          break;
        default:
          // The prepared program ends with a slot of opcode 0, so running off the end
          // lands here without a bounds check on every instruction.
          if (pc >= end) {
            n--;
            throw new VmError(VmErrorCode.FELL_OFF_END, `execution ran past the last instruction (${end - 1})`, { pc: end - 1 });
          }
          throw new VmError(VmErrorCode.UNSUPPORTED, `opcode 0x${op[pc]!.toString(16)} cannot be executed`, { pc });
      }
      pc++;
    }
  } finally {
    ex.pc = pc;
    ex.executed += n;
    ex.remaining -= n;
  }
}

function div64(L: Int32Array, H: Int32Array, d: number, bl: number, bh: number, signed: number): void {
  if (bl === 0 && bh === 0) { L[d] = 0; H[d] = 0; return; }
  if (signed) sdivmod64(L[d]!, H[d]!, bl, bh);
  else udivmod64(L[d]!, H[d]!, bl, bh);
  L[d] = DIVMOD[0]!; H[d] = DIVMOD[1]!;
}

function mod64(L: Int32Array, H: Int32Array, d: number, bl: number, bh: number, signed: number): void {
  if (bl === 0 && bh === 0) return;
  if (signed) sdivmod64(L[d]!, H[d]!, bl, bh);
  else udivmod64(L[d]!, H[d]!, bl, bh);
  L[d] = DIVMOD[2]!; H[d] = DIVMOD[3]!;
}

function div32(a: number, b: number, signed: number): number {
  if (b === 0) return 0;
  return signed ? Math.trunc((a | 0) / (b | 0)) | 0 : Math.floor((a >>> 0) / (b >>> 0)) | 0;
}

function mod32(a: number, b: number, signed: number): number {
  if (b === 0) return a;
  return signed ? ((a | 0) % (b | 0)) | 0 : ((a >>> 0) % (b >>> 0)) | 0;
}

/** Byte swap of width `bits`: unconditional (bswap, ALU64) or to big-endian (ALU be). */
function swap(L: Int32Array, H: Int32Array, d: number, bits: number, _bswap: boolean): void {
  // The host order of ebee's memory is little-endian, so `be` and `bswap` coincide.
  if (bits === 16) { L[d] = bswap16(L[d]!); H[d] = 0; }
  else if (bits === 32) { L[d] = bswap32(L[d]!); H[d] = 0; }
  else { const lo = L[d]!; L[d] = bswap32(H[d]!); H[d] = bswap32(lo); }
}

/** The local function a `call` enters, or -1 for a helper. */
function callTarget(ex: Execution, pc: number): number {
  const src = ex.program.src[pc]!;
  if (src === 1) return pc + 1 + ex.program.imm[pc]!;
  if (src === 2) {
    throw new VmError(VmErrorCode.UNSUPPORTED, `call to kernel function (BTF id ${ex.program.imm[pc]}) is not available`, { pc });
  }
  return -1;
}

/** `callx`: a code address enters a local function; a small value names a helper. */
function callxTarget(ex: Execution, pc: number): number {
  const r = ex.program.dst[pc]!;
  const hi = ex.hi[r]!;
  if (hi === CODE_ADDRESS_TAG) return ex.codeTarget(ex.register(r), pc);
  if (hi === 0) return -1;
  throw new VmError(VmErrorCode.BAD_CALL_TARGET, `callx r${r}: 0x${ex.register(r).toString(16)} is neither a helper id nor a code address`, { pc });
}
