/**
 * Internet checksum arithmetic as Linux does it on a little-endian machine: a 16-bit
 * checksum field is read as a native u16 of its two bytes, a 32-bit partial sum
 * (`__wsum`) is a one's-complement sum with end-around carry, and folding gives the
 * complemented 16-bit checksum. One's-complement sums do not depend on byte order as
 * long as every operand is read the same way, so the values programs pass (fields
 * loaded from the packet with ordinary loads) combine exactly as in the kernel.
 */

/** csum_add: 32-bit one's-complement addition. */
export function csumAdd(a: number, b: number): number {
  const s = (a >>> 0) + (b >>> 0);
  return s > 0xffffffff ? (s - 0xffffffff) >>> 0 : s >>> 0;
}

/** csum_sub: a - b = a + ~b. */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** csum_fold: the complemented 16-bit checksum of a 32-bit partial sum. */
export function csumFold(sum: number): number {
  let s = (sum & 0xffff) + (sum >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** csum_partial over 32-bit words (little-endian reads) starting from `seed`. */
export function csumPartialWords(bytes: Uint8Array, seed: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sum = seed >>> 0;
  for (let i = 0; i + 4 <= bytes.length; i += 4) sum = csumAdd(sum, view.getUint32(i, true));
  return sum;
}

// `~check >>> 0` is the kernel's ~csum_unfold(check): the 32-bit complement of the zero-extended field.

/** csum_replace_by_diff: applies a partial sum `diff` to the checksum `check`. */
export function csumReplaceByDiff(check: number, diff: number): number {
  return csumFold(csumAdd(diff >>> 0, ~check >>> 0));
}

/** csum_replace4: the checksum after a 32-bit field changed from `from` to `to`. */
export function csumReplace4(check: number, from: number, to: number): number {
  return csumFold(csumAdd(csumSub(~check >>> 0, from >>> 0), to >>> 0));
}

/** csum_replace2: the checksum after a 16-bit field changed from `from` to `to`. */
export function csumReplace2(check: number, from: number, to: number): number {
  const add16 = (a: number, b: number): number => {
    const s = a + b;
    return (s & 0xffff) + (s >>> 16);
  };
  const r = add16(add16(~check & 0xffff, ~from & 0xffff), to & 0xffff);
  return ~r & 0xffff;
}
