/**
 * The interpreter's hot loop: a `switch` over the opcode byte, registers as int32
 * halves (see `u64.ts`). Semantics are RFC 9669's exactly: division by zero gives 0
 * and modulo by zero leaves dst unchanged, INT_MIN / -1 wraps, shift amounts are
 * masked, 32-bit results are zero-extended.
 *
 * Two levels. The inner loop runs the common instructions, and memory accesses that
 * fall in one of the last two regions read or written (bounds kept in locals). It makes
 * no call V8 does not inline: a call site in the loop, even a cold one, costs every
 * instruction 5-10% (register allocation around it). Everything else (call, exit, byte
 * swaps, atomics, packet loads, signed 64-bit division, a memory access that misses the
 * cached regions, the end of the program) leaves the inner loop and runs in `slowStep`.
 *
 * Other things that keep V8's code tight, each measured on ../shared/bench:
 * - the program is read as one packed int32 per slot (opcode | dst << 8 | src << 12 |
 *   offset << 16) plus the imm array: one load decodes all but imm;
 * - pc, the instruction countdown and the region bounds are int32 (`| 0` where they come
 *   from outside): a value V8 cannot prove int32 is kept tagged or as a double and
 *   converted on every instruction, which cost 20-45%;
 * - every array the inner loop uses is touched before it, which makes the checks on
 *   each access inside cheaper (about 25%).
 */
import type { Execution } from './execution.js';
import { CODE_ADDRESS_TAG, fellOffEnd, invalidOpcode, kfuncUnavailable, notCallable, unresolvedLddw } from './engine.js';
import type { PreparedProgram } from './program.js';
import { bswap16, bswap32, DIVMOD, sdivmod64, udivmod64 } from './u64.js';
import { atomic } from './atomic.js';
import { packetLoad } from './packet.js';

/**
 * Most instructions one call executes. Keeps the countdown a small integer even for
 * an infinite budget; the callers (`Execution.run`, `invoke`) loop until done.
 */
const CHUNK = 0x3fffffff;

const packedCode = new WeakMap<PreparedProgram, Int32Array>();

/**
 * The program as one int32 per slot: opcode | dst << 8 | src << 12 | offset << 16.
 * Built once per program (a prepared program is never modified).
 */
function packed(P: PreparedProgram): Int32Array {
  let code = packedCode.get(P);
  if (code === undefined) {
    code = new Int32Array(P.opcode.length);
    for (let i = 0; i < code.length; i++) {
      code[i] = P.opcode[i]! | (P.dst[i]! << 8) | (P.src[i]! << 12) | (P.offset[i]! << 16);
    }
    packedCode.set(P, code);
  }
  return code;
}

/**
 * Executes at most `limit` instructions of `ex`, stopping early when the program
 * exits or, for a host-invoked callback, when its frame at `stopDepth` returns.
 */
export function interpret(ex: Execution, limit: number, stopDepth = 0): void {
  const P = ex.program;
  const code = packed(P), immA = P.imm, immHiA = P.immHi;
  const L = ex.lo, H = ex.hi;
  // pc and the counts stay int32 (`| 0` where they come from outside): a value V8 cannot
  // prove to be one would be kept tagged and re-checked on every instruction.
  let pc = ex.pc | 0;
  // Instructions run = chunk - left; a slow step settles the count and restarts it.
  // Kept int32 (`| 0`): a double here would make V8 convert it on every iteration.
  let chunk = limit < CHUNK ? Math.ceil(limit) | 0 : CHUNK;
  let left = chunk;
  // Views of the memory: only a helper can grow it (which replaces the buffer).
  let dv = ex.space.view, bytes = ex.space.bytes;
  try {
    while (left > 0) {
      // The last two regions read and written, as int32 (see Execution.readAddress).
      const rs = ex.rs | 0, re = ex.re | 0, rs2 = ex.rs2 | 0, re2 = ex.re2 | 0;
      const ws = ex.ws | 0, we = ex.we | 0, ws2 = ex.ws2 | 0, we2 = ex.we2 | 0;
      // Touch every array the inner loop uses (see the top of the file).
      if (L.length < 11 || H.length < 11 || immA.length !== code.length || immHiA.length !== code.length ||
          bytes.length !== dv.byteLength) {
        throw new Error('interpreter state is inconsistent');
      }
      inner: while (left > 0) {
        const w = code[pc]!;
        const d = (w >> 8) & 15;
        switch (w & 0xff) {
          // ---- ALU64, immediate operand (sign-extended) ----
          case 0x07: { const b = immA[pc]!, a = L[d]!, r = (a + b) | 0; H[d] = (H[d]! + (b >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; L[d] = r; break; }
          case 0x17: { const b = immA[pc]!, a = L[d]!; L[d] = (a - b) | 0; H[d] = (H[d]! - (b >> 31) - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0; break; }
          case 0x47: { const b = immA[pc]!; L[d] = L[d]! | b; H[d] = H[d]! | (b >> 31); break; }
          case 0x57: { const b = immA[pc]!; L[d] = L[d]! & b; H[d] = H[d]! & (b >> 31); break; }
          case 0x87: { const a = L[d]!; L[d] = -a | 0; H[d] = (~H[d]! + (a === 0 ? 1 : 0)) | 0; break; }
          case 0xa7: { const b = immA[pc]!; L[d] = L[d]! ^ b; H[d] = H[d]! ^ (b >> 31); break; }
          case 0xb7: { const b = immA[pc]!; L[d] = b; H[d] = b >> 31; break; }
          // ---- ALU64, register operand ----
          case 0x0f: { const s = (w >> 12) & 15, bl = L[s]!, bh = H[s]!, a = L[d]!, r = (a + bl) | 0; H[d] = (H[d]! + bh + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; L[d] = r; break; }
          case 0x1f: { const s = (w >> 12) & 15, bl = L[s]!, bh = H[s]!, a = L[d]!; L[d] = (a - bl) | 0; H[d] = (H[d]! - bh - ((a >>> 0) < (bl >>> 0) ? 1 : 0)) | 0; break; }
          case 0x4f: { const s = (w >> 12) & 15; L[d] = L[d]! | L[s]!; H[d] = H[d]! | H[s]!; break; }
          case 0x5f: { const s = (w >> 12) & 15; L[d] = L[d]! & L[s]!; H[d] = H[d]! & H[s]!; break; }
          case 0xaf: { const s = (w >> 12) & 15; L[d] = L[d]! ^ L[s]!; H[d] = H[d]! ^ H[s]!; break; }
          case 0xbf: {
            const s = (w >> 12) & 15, o = w >> 16;
            if (o === 0) { L[d] = L[s]!; H[d] = H[s]!; break; }
            const v = o === 8 ? (L[s]! << 24) >> 24 : o === 16 ? (L[s]! << 16) >> 16 : L[s]!;
            L[d] = v; H[d] = v >> 31; break;
          }
          // ---- ALU64 with either operand (bit 0x08 of the opcode selects the register) ----
          case 0x27: case 0x2f: {
            // 64 x 64 -> 64: the full low product plus the two cross terms' low halves.
            // The high half of the 32 x 32 product is schoolbook over 16-bit limbs, each
            // partial sum below 2^32 (same as u64.mulhiU32, written out: no calls here).
            const s = (w >> 12) & 15, bl = (w & 8) !== 0 ? L[s]! : immA[pc]!, bh = (w & 8) !== 0 ? H[s]! : bl >> 31;
            const a = L[d]!, a0 = a & 0xffff, a1 = a >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
            const lh = a0 * b1, hl = a1 * b0, mid = ((a0 * b0) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
            H[d] = (a1 * b1 + (lh >>> 16) + (hl >>> 16) + (mid >>> 16) + Math.imul(H[d]!, bl) + Math.imul(a, bh)) | 0;
            L[d] = Math.imul(a, bl);
            break;
          }
          case 0x37: case 0x3f: case 0x97: case 0x9f: {
            const s = (w >> 12) & 15, bl = (w & 8) !== 0 ? L[s]! : immA[pc]!, bh = (w & 8) !== 0 ? H[s]! : bl >> 31;
            const isDiv = (w & 0xf0) === 0x30, al = L[d]!, ah = H[d]!;
            if ((bl | bh) === 0) { if (isDiv) { L[d] = 0; H[d] = 0; } break; } // x / 0 = 0, x % 0 = x
            if ((w >> 16) !== 0) break inner; // signed (sdiv, smod): rare, slowStep
            if ((ah | bh) === 0) {
              // 32-bit operands: V8 emits a machine uint32 divide for this shape.
              L[d] = isDiv ? ((al >>> 0) / (bl >>> 0)) | 0 : ((al >>> 0) % (bl >>> 0)) | 0;
              break;
            }
            udivmod64(al, ah, bl, bh); // inlined by V8 (see u64.ts)
            L[d] = isDiv ? DIVMOD[0]! : DIVMOD[2]!; H[d] = isDiv ? DIVMOD[1]! : DIVMOD[3]!;
            break;
          }
          case 0x67: case 0x6f: {
            const n = ((w & 8) !== 0 ? L[(w >> 12) & 15]! : immA[pc]!) & 63, lo = L[d]!;
            if (n >= 32) { H[d] = lo << (n - 32); L[d] = 0; }
            else if (n !== 0) { H[d] = (H[d]! << n) | (lo >>> (32 - n)); L[d] = lo << n; }
            break;
          }
          case 0x77: case 0x7f: {
            const n = ((w & 8) !== 0 ? L[(w >> 12) & 15]! : immA[pc]!) & 63, hi = H[d]!;
            if (n >= 32) { L[d] = hi >>> (n - 32); H[d] = 0; }
            else if (n !== 0) { L[d] = (L[d]! >>> n) | (hi << (32 - n)); H[d] = hi >>> n; }
            break;
          }
          case 0xc7: case 0xcf: {
            const n = ((w & 8) !== 0 ? L[(w >> 12) & 15]! : immA[pc]!) & 63, hi = H[d]!;
            if (n >= 32) { L[d] = hi >> (n - 32); H[d] = hi >> 31; }
            else if (n !== 0) { L[d] = (L[d]! >>> n) | (hi << (32 - n)); H[d] = hi >> n; }
            break;
          }
          // ---- ALU (32-bit; results zero-extended) ----
          case 0x04: L[d] = (L[d]! + immA[pc]!) | 0; H[d] = 0; break;
          case 0x0c: L[d] = (L[d]! + L[(w >> 12) & 15]!) | 0; H[d] = 0; break;
          case 0x14: L[d] = (L[d]! - immA[pc]!) | 0; H[d] = 0; break;
          case 0x1c: L[d] = (L[d]! - L[(w >> 12) & 15]!) | 0; H[d] = 0; break;
          case 0x24: L[d] = Math.imul(L[d]!, immA[pc]!); H[d] = 0; break;
          case 0x2c: L[d] = Math.imul(L[d]!, L[(w >> 12) & 15]!); H[d] = 0; break;
          case 0x44: L[d] = L[d]! | immA[pc]!; H[d] = 0; break;
          case 0x4c: L[d] = L[d]! | L[(w >> 12) & 15]!; H[d] = 0; break;
          case 0x54: L[d] = L[d]! & immA[pc]!; H[d] = 0; break;
          case 0x5c: L[d] = L[d]! & L[(w >> 12) & 15]!; H[d] = 0; break;
          case 0x64: L[d] = L[d]! << (immA[pc]! & 31); H[d] = 0; break;
          case 0x6c: L[d] = L[d]! << (L[(w >> 12) & 15]! & 31); H[d] = 0; break;
          case 0x74: L[d] = L[d]! >>> (immA[pc]! & 31); H[d] = 0; break;
          case 0x7c: L[d] = L[d]! >>> (L[(w >> 12) & 15]! & 31); H[d] = 0; break;
          case 0x84: L[d] = -L[d]! | 0; H[d] = 0; break;
          case 0xa4: L[d] = L[d]! ^ immA[pc]!; H[d] = 0; break;
          case 0xac: L[d] = L[d]! ^ L[(w >> 12) & 15]!; H[d] = 0; break;
          case 0xb4: L[d] = immA[pc]!; H[d] = 0; break;
          case 0xbc: {
            const v = L[(w >> 12) & 15]!, o = w >> 16;
            L[d] = o === 8 ? (v << 24) >> 24 : o === 16 ? (v << 16) >> 16 : v; H[d] = 0; break;
          }
          case 0xc4: L[d] = L[d]! >> (immA[pc]! & 31); H[d] = 0; break;
          case 0xcc: L[d] = L[d]! >> (L[(w >> 12) & 15]! & 31); H[d] = 0; break;
          case 0x34: case 0x3c: case 0x94: case 0x9c: {
            // Machine int32/uint32 division; by zero: quotient 0, remainder dst.
            const b = (w & 8) !== 0 ? L[(w >> 12) & 15]! : immA[pc]!, a = L[d]!, isDiv = (w & 0xf0) === 0x30;
            if (b === 0) L[d] = isDiv ? 0 : a;
            else if ((w >> 16) === 0) L[d] = isDiv ? ((a >>> 0) / (b >>> 0)) | 0 : ((a >>> 0) % (b >>> 0)) | 0;
            else L[d] = isDiv ? (a / b) | 0 : (a % b) | 0;
            H[d] = 0; break;
          }
          case 0xd4: { const bits = immA[pc]!; if (bits === 16) L[d] = L[d]! & 0xffff; if (bits !== 64) H[d] = 0; break; }
          // ---- JMP: 64-bit comparisons (high halves decide unless equal) ----
          case 0x05: pc += w >> 16; break;
          case 0x15: { const b = immA[pc]!; if (L[d] === b && H[d] === b >> 31) pc += w >> 16; break; }
          case 0x1d: { const s = (w >> 12) & 15; if (L[d] === L[s] && H[d] === H[s]) pc += w >> 16; break; }
          case 0x25: { const b = immA[pc]!, ah = H[d]!, bh = b >> 31; if (ah !== bh ? (ah >>> 0) > (bh >>> 0) : (L[d]! >>> 0) > (b >>> 0)) pc += w >> 16; break; }
          case 0x2d: { const s = (w >> 12) & 15, ah = H[d]!, bh = H[s]!; if (ah !== bh ? (ah >>> 0) > (bh >>> 0) : (L[d]! >>> 0) > (L[s]! >>> 0)) pc += w >> 16; break; }
          case 0x35: { const b = immA[pc]!, ah = H[d]!, bh = b >> 31; if (ah !== bh ? (ah >>> 0) > (bh >>> 0) : (L[d]! >>> 0) >= (b >>> 0)) pc += w >> 16; break; }
          case 0x3d: { const s = (w >> 12) & 15, ah = H[d]!, bh = H[s]!; if (ah !== bh ? (ah >>> 0) > (bh >>> 0) : (L[d]! >>> 0) >= (L[s]! >>> 0)) pc += w >> 16; break; }
          case 0x45: { const b = immA[pc]!; if ((L[d]! & b) !== 0 || (H[d]! & (b >> 31)) !== 0) pc += w >> 16; break; }
          case 0x4d: { const s = (w >> 12) & 15; if ((L[d]! & L[s]!) !== 0 || (H[d]! & H[s]!) !== 0) pc += w >> 16; break; }
          case 0x55: { const b = immA[pc]!; if (L[d] !== b || H[d] !== b >> 31) pc += w >> 16; break; }
          case 0x5d: { const s = (w >> 12) & 15; if (L[d] !== L[s] || H[d] !== H[s]) pc += w >> 16; break; }
          case 0x65: { const b = immA[pc]!, ah = H[d]!, bh = b >> 31; if (ah !== bh ? ah > bh : (L[d]! >>> 0) > (b >>> 0)) pc += w >> 16; break; }
          case 0x6d: { const s = (w >> 12) & 15, ah = H[d]!, bh = H[s]!; if (ah !== bh ? ah > bh : (L[d]! >>> 0) > (L[s]! >>> 0)) pc += w >> 16; break; }
          case 0x75: { const b = immA[pc]!, ah = H[d]!, bh = b >> 31; if (ah !== bh ? ah > bh : (L[d]! >>> 0) >= (b >>> 0)) pc += w >> 16; break; }
          case 0x7d: { const s = (w >> 12) & 15, ah = H[d]!, bh = H[s]!; if (ah !== bh ? ah > bh : (L[d]! >>> 0) >= (L[s]! >>> 0)) pc += w >> 16; break; }
          case 0xa5: { const b = immA[pc]!, ah = H[d]!, bh = b >> 31; if (ah !== bh ? (ah >>> 0) < (bh >>> 0) : (L[d]! >>> 0) < (b >>> 0)) pc += w >> 16; break; }
          case 0xad: { const s = (w >> 12) & 15, ah = H[d]!, bh = H[s]!; if (ah !== bh ? (ah >>> 0) < (bh >>> 0) : (L[d]! >>> 0) < (L[s]! >>> 0)) pc += w >> 16; break; }
          case 0xb5: { const b = immA[pc]!, ah = H[d]!, bh = b >> 31; if (ah !== bh ? (ah >>> 0) < (bh >>> 0) : (L[d]! >>> 0) <= (b >>> 0)) pc += w >> 16; break; }
          case 0xbd: { const s = (w >> 12) & 15, ah = H[d]!, bh = H[s]!; if (ah !== bh ? (ah >>> 0) < (bh >>> 0) : (L[d]! >>> 0) <= (L[s]! >>> 0)) pc += w >> 16; break; }
          case 0xc5: { const b = immA[pc]!, ah = H[d]!, bh = b >> 31; if (ah !== bh ? ah < bh : (L[d]! >>> 0) < (b >>> 0)) pc += w >> 16; break; }
          case 0xcd: { const s = (w >> 12) & 15, ah = H[d]!, bh = H[s]!; if (ah !== bh ? ah < bh : (L[d]! >>> 0) < (L[s]! >>> 0)) pc += w >> 16; break; }
          case 0xd5: { const b = immA[pc]!, ah = H[d]!, bh = b >> 31; if (ah !== bh ? ah < bh : (L[d]! >>> 0) <= (b >>> 0)) pc += w >> 16; break; }
          case 0xdd: { const s = (w >> 12) & 15, ah = H[d]!, bh = H[s]!; if (ah !== bh ? ah < bh : (L[d]! >>> 0) <= (L[s]! >>> 0)) pc += w >> 16; break; }
          // ---- JMP32: low halves only ----
          case 0x06: pc += immA[pc]!; break;
          case 0x16: if (L[d] === immA[pc]) pc += w >> 16; break;
          case 0x1e: if (L[d] === L[(w >> 12) & 15]) pc += w >> 16; break;
          case 0x26: if ((L[d]! >>> 0) > (immA[pc]! >>> 0)) pc += w >> 16; break;
          case 0x2e: if ((L[d]! >>> 0) > (L[(w >> 12) & 15]! >>> 0)) pc += w >> 16; break;
          case 0x36: if ((L[d]! >>> 0) >= (immA[pc]! >>> 0)) pc += w >> 16; break;
          case 0x3e: if ((L[d]! >>> 0) >= (L[(w >> 12) & 15]! >>> 0)) pc += w >> 16; break;
          case 0x46: if ((L[d]! & immA[pc]!) !== 0) pc += w >> 16; break;
          case 0x4e: if ((L[d]! & L[(w >> 12) & 15]!) !== 0) pc += w >> 16; break;
          case 0x56: if (L[d] !== immA[pc]) pc += w >> 16; break;
          case 0x5e: if (L[d] !== L[(w >> 12) & 15]) pc += w >> 16; break;
          case 0x66: if (L[d]! > immA[pc]!) pc += w >> 16; break;
          case 0x6e: if (L[d]! > L[(w >> 12) & 15]!) pc += w >> 16; break;
          case 0x76: if (L[d]! >= immA[pc]!) pc += w >> 16; break;
          case 0x7e: if (L[d]! >= L[(w >> 12) & 15]!) pc += w >> 16; break;
          case 0xa6: if ((L[d]! >>> 0) < (immA[pc]! >>> 0)) pc += w >> 16; break;
          case 0xae: if ((L[d]! >>> 0) < (L[(w >> 12) & 15]! >>> 0)) pc += w >> 16; break;
          case 0xb6: if ((L[d]! >>> 0) <= (immA[pc]! >>> 0)) pc += w >> 16; break;
          case 0xbe: if ((L[d]! >>> 0) <= (L[(w >> 12) & 15]! >>> 0)) pc += w >> 16; break;
          case 0xc6: if (L[d]! < immA[pc]!) pc += w >> 16; break;
          case 0xce: if (L[d]! < L[(w >> 12) & 15]!) pc += w >> 16; break;
          case 0xd6: if (L[d]! <= immA[pc]!) pc += w >> 16; break;
          case 0xde: if (L[d]! <= L[(w >> 12) & 15]!) pc += w >> 16; break;
          // ---- Loads and stores: in a cached region, or leave for slowStep ----
          case 0x71: { // ldxb
            const s = (w >> 12) & 15, a = (L[s]! + (w >> 16)) | 0;
            if (H[s] !== 0 || ((a < rs || a > re - 1) && (a < rs2 || a > re2 - 1))) break inner;
            L[d] = bytes[a]!; H[d] = 0;
            break;
          }
          case 0x69: { // ldxh
            const s = (w >> 12) & 15, a = (L[s]! + (w >> 16)) | 0;
            if (H[s] !== 0 || ((a < rs || a > re - 2) && (a < rs2 || a > re2 - 2))) break inner;
            L[d] = dv.getUint16(a, true); H[d] = 0;
            break;
          }
          case 0x61: { // ldxw
            const s = (w >> 12) & 15, a = (L[s]! + (w >> 16)) | 0;
            if (H[s] !== 0 || ((a < rs || a > re - 4) && (a < rs2 || a > re2 - 4))) break inner;
            L[d] = dv.getInt32(a, true); H[d] = 0;
            break;
          }
          case 0x79: { // ldxdw
            const s = (w >> 12) & 15, a = (L[s]! + (w >> 16)) | 0;
            if (H[s] !== 0 || ((a < rs || a > re - 8) && (a < rs2 || a > re2 - 8))) break inner;
            L[d] = dv.getInt32(a, true); H[d] = dv.getInt32(a + 4, true);
            break;
          }
          case 0x91: { // ldxsb
            const s = (w >> 12) & 15, a = (L[s]! + (w >> 16)) | 0;
            if (H[s] !== 0 || ((a < rs || a > re - 1) && (a < rs2 || a > re2 - 1))) break inner;
            const v = (bytes[a]! << 24) >> 24; L[d] = v; H[d] = v >> 31;
            break;
          }
          case 0x89: { // ldxsh
            const s = (w >> 12) & 15, a = (L[s]! + (w >> 16)) | 0;
            if (H[s] !== 0 || ((a < rs || a > re - 2) && (a < rs2 || a > re2 - 2))) break inner;
            const v = dv.getInt16(a, true); L[d] = v; H[d] = v >> 31;
            break;
          }
          case 0x81: { // ldxsw
            const s = (w >> 12) & 15, a = (L[s]! + (w >> 16)) | 0;
            if (H[s] !== 0 || ((a < rs || a > re - 4) && (a < rs2 || a > re2 - 4))) break inner;
            const v = dv.getInt32(a, true); L[d] = v; H[d] = v >> 31;
            break;
          }
          case 0x73: { // stxb
            const a = (L[d]! + (w >> 16)) | 0;
            if (H[d] !== 0 || ((a < ws || a > we - 1) && (a < ws2 || a > we2 - 1))) break inner;
            bytes[a] = L[(w >> 12) & 15]!;
            break;
          }
          case 0x6b: { // stxh
            const a = (L[d]! + (w >> 16)) | 0;
            if (H[d] !== 0 || ((a < ws || a > we - 2) && (a < ws2 || a > we2 - 2))) break inner;
            dv.setInt16(a, L[(w >> 12) & 15]!, true);
            break;
          }
          case 0x63: { // stxw
            const a = (L[d]! + (w >> 16)) | 0;
            if (H[d] !== 0 || ((a < ws || a > we - 4) && (a < ws2 || a > we2 - 4))) break inner;
            dv.setInt32(a, L[(w >> 12) & 15]!, true);
            break;
          }
          case 0x7b: { // stxdw
            const s = (w >> 12) & 15, a = (L[d]! + (w >> 16)) | 0;
            if (H[d] !== 0 || ((a < ws || a > we - 8) && (a < ws2 || a > we2 - 8))) break inner;
            dv.setInt32(a, L[s]!, true); dv.setInt32(a + 4, H[s]!, true);
            break;
          }
          case 0x72: { // stb
            const a = (L[d]! + (w >> 16)) | 0;
            if (H[d] !== 0 || ((a < ws || a > we - 1) && (a < ws2 || a > we2 - 1))) break inner;
            bytes[a] = immA[pc]!;
            break;
          }
          case 0x6a: { // sth
            const a = (L[d]! + (w >> 16)) | 0;
            if (H[d] !== 0 || ((a < ws || a > we - 2) && (a < ws2 || a > we2 - 2))) break inner;
            dv.setInt16(a, immA[pc]!, true);
            break;
          }
          case 0x62: { // stw
            const a = (L[d]! + (w >> 16)) | 0;
            if (H[d] !== 0 || ((a < ws || a > we - 4) && (a < ws2 || a > we2 - 4))) break inner;
            dv.setInt32(a, immA[pc]!, true);
            break;
          }
          case 0x7a: { // stdw
            const a = (L[d]! + (w >> 16)) | 0;
            if (H[d] !== 0 || ((a < ws || a > we - 8) && (a < ws2 || a > we2 - 8))) break inner;
            const v = immA[pc]!; dv.setInt32(a, v, true); dv.setInt32(a + 4, v >> 31, true);
            break;
          }
          case 0x18:
            if (((w >> 12) & 15) !== 0) break inner;
            L[d] = immA[pc]!; H[d] = immHiA[pc]!; pc++;
            break;
          default:
            break inner;
        }
        left--;
        pc++;
      }
      if (left <= 0) break;
      // The instruction at pc needs slowStep.
      if (pc >= P.length) {
        throw fellOffEnd(P);
      }
      left--;
      // Settle the count: a helper may run code of this program (callbacks), which
      // counts against the same budget.
      ex.executed += chunk - left; ex.remaining -= chunk - left; chunk = left;
      ex.pc = pc;
      const w = code[pc]!, depth = ex.depth;
      const next = slowStep(ex, pc, w, stopDepth, dv);
      if (next < 0) { pc = ex.pc; return; }
      pc = next | 0;
      // A helper call (call or callx that did not enter a local function) may have grown memory.
      if ((w & 0xf7) === 0x85 && ex.depth === depth) { dv = ex.space.view; bytes = ex.space.bytes; }
      if (ex.remaining < left) chunk = left = Math.ceil(ex.remaining) | 0;
    }
  } finally {
    ex.pc = pc;
    ex.executed += chunk - left;
    ex.remaining -= chunk - left;
  }
}

/** Access size in bytes of the memory instructions (0 for the rest). */
const ACCESS_SIZE = new Uint8Array(256);
for (const [size, ops] of [[1, [0x71, 0x91, 0x72, 0x73]], [2, [0x69, 0x89, 0x6a, 0x6b]],
  [4, [0x61, 0x81, 0x62, 0x63, 0xc3]], [8, [0x79, 0x7a, 0x7b, 0xdb]]] as const) {
  for (const op of ops) ACCESS_SIZE[op] = size;
}

/**
 * Executes the instruction `w` at `pc` in full generality. Returns the next pc, or -1
 * when the run stops here (program exit, the callback frame returned, a packet load
 * out of bounds).
 */
function slowStep(ex: Execution, pc: number, w: number, stopDepth: number, dv: DataView): number {
  const L = ex.lo, H = ex.hi, op = w & 0xff, d = (w >> 8) & 15, s = (w >> 12) & 15, off = w >> 16;
  const imm = ex.program.imm[pc]!;
  switch (op) {
    case 0x37: case 0x3f: case 0x97: case 0x9f: // signed, divisor non-zero (see the inner loop)
      sdivmod64(L[d]!, H[d]!, (op & 8) !== 0 ? L[s]! : imm, (op & 8) !== 0 ? H[s]! : imm >> 31);
      L[d] = DIVMOD[op < 0x90 ? 0 : 2]!; H[d] = DIVMOD[op < 0x90 ? 1 : 3]!;
      return pc + 1;
    case 0xd7: case 0xdc: // bswap (ALU64) and `be` (ALU): ebee's memory is little-endian, so they coincide
      if (imm === 16) { L[d] = bswap16(L[d]!); H[d] = 0; }
      else if (imm === 32) { L[d] = bswap32(L[d]!); H[d] = 0; }
      else { const lo = L[d]!; L[d] = bswap32(H[d]!); H[d] = bswap32(lo); }
      return pc + 1;
    case 0x18:
      if (s === 4) { L[d] = pc + 1 + imm; H[d] = CODE_ADDRESS_TAG; return pc + 2; }
      throw unresolvedLddw(s, pc);
    case 0x85: case 0x8d: {
      const local = op === 0x85 ? callTarget(ex, pc) : callxTarget(ex, pc);
      if (local >= 0) {
        ex.enterFunction(local, pc + 1, pc);
        return ex.pc;
      }
      ex.callHelper(op === 0x85 ? imm : L[d]!, pc, op === 0x85);
      return pc + 1;
    }
    case 0x95:
      ex.leaveFunction();
      return ex.done || ex.depth < stopDepth ? -1 : ex.pc;
    case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50:
      if (packetLoad(ex, op, s, imm, pc, dv)) return pc + 1;
      ex.done = true;
      return -1;
  }
  const size = ACCESS_SIZE[op]!;
  if (size === 0) throw invalidOpcode(op, pc);
  if ((op & 7) === 1) {
    // LDX: the address is src + off; sign-extending forms (0x81, 0x89, 0x91) have mode MEMSX.
    const a = ex.readAddress((L[s]! >>> 0) + off, H[s]!, size, pc);
    const v = size === 1 ? dv.getUint8(a) : size === 2 ? dv.getUint16(a, true) : dv.getInt32(a, true);
    const sx = (op & 0xe0) === 0x80;
    const lo = sx && size === 1 ? (v << 24) >> 24 : sx && size === 2 ? (v << 16) >> 16 : v;
    L[d] = lo;
    H[d] = size === 8 ? dv.getInt32(a + 4, true) : sx ? lo >> 31 : 0;
    return pc + 1;
  }
  const a = ex.writeAddress((L[d]! >>> 0) + off, H[d]!, size, pc);
  if (op === 0xc3 || op === 0xdb) {
    atomic(L, H, dv, a, s, imm, op === 0xdb);
    return pc + 1;
  }
  // ST (class 2) stores imm sign-extended, STX (class 3) the register.
  const lo = (op & 7) === 2 ? imm : L[s]!, hi = (op & 7) === 2 ? imm >> 31 : H[s]!;
  if (size === 1) dv.setUint8(a, lo);
  else if (size === 2) dv.setInt16(a, lo, true);
  else dv.setInt32(a, lo, true);
  if (size === 8) dv.setInt32(a + 4, hi, true);
  return pc + 1;
}

/** The local function a `call` enters, or -1 for a helper. */
function callTarget(ex: Execution, pc: number): number {
  const src = ex.program.src[pc]!;
  if (src === 1) return pc + 1 + ex.program.imm[pc]!;
  if (src === 2) throw kfuncUnavailable(ex.program.imm[pc]!, pc);
  return -1;
}

/** `callx`: a code address enters a local function; a small value names a helper. */
function callxTarget(ex: Execution, pc: number): number {
  const r = ex.program.dst[pc]!;
  const hi = ex.hi[r]!;
  if (hi === CODE_ADDRESS_TAG) return ex.codeTarget(ex.register(r), pc);
  if (hi === 0) return -1;
  throw notCallable(r, ex.register(r), pc);
}
