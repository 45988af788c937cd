/**
 * Atomic read-modify-write instructions. A run is single-threaded over its memory,
 * so plain reads and writes are atomic here; 32-bit forms touch exactly 4 bytes.
 */
import { AtomicOp } from '../isa/index.js';

/** Performs `imm`'s operation on the `wide` (8) or 4 bytes at `a`. */
export function atomic(L: Int32Array, H: Int32Array, dv: DataView, a: number, s: number, imm: number, wide: boolean): void {
  const oldLo = dv.getInt32(a, true);
  const oldHi = wide ? dv.getInt32(a + 4, true) : 0;
  let newLo: number;
  let newHi = 0;
  const op = imm & ~AtomicOp.FETCH;
  if (imm === AtomicOp.CMPXCHG) {
    const equal = wide ? oldLo === L[0] && oldHi === H[0] : oldLo === L[0];
    if (equal) store(dv, a, L[s]!, H[s]!, wide);
    L[0] = oldLo; H[0] = oldHi;
    return;
  }
  if (imm === AtomicOp.XCHG) {
    newLo = L[s]!; newHi = H[s]!;
  } else if (op === AtomicOp.ADD) {
    newLo = (oldLo + L[s]!) | 0;
    newHi = (oldHi + H[s]! + ((newLo >>> 0) < (oldLo >>> 0) ? 1 : 0)) | 0;
  } else if (op === AtomicOp.OR) {
    newLo = oldLo | L[s]!; newHi = oldHi | H[s]!;
  } else if (op === AtomicOp.AND) {
    newLo = oldLo & L[s]!; newHi = oldHi & H[s]!;
  } else {
    newLo = oldLo ^ L[s]!; newHi = oldHi ^ H[s]!;
  }
  store(dv, a, newLo, newHi, wide);
  if (imm & AtomicOp.FETCH) { L[s] = oldLo; H[s] = oldHi; }
}

function store(dv: DataView, a: number, lo: number, hi: number, wide: boolean): void {
  dv.setInt32(a, lo, true);
  if (wide) dv.setInt32(a + 4, hi, true);
}
