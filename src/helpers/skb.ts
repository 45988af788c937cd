/**
 * Packet bytes and checksums for skb programs (tc, socket filters...), and csum_diff.
 * Offsets are from the start of packet data (skb->data); the packet is linear, so
 * Linux's "pull the bytes in first" never fails for a range inside the packet, and
 * fails with -EFAULT for one past its end.
 *
 * ebee's skbs have no checksum state (ip_summed is CHECKSUM_NONE), so
 * BPF_F_RECOMPUTE_CSUM and BPF_F_PSEUDO_HDR change nothing beyond the packet bytes,
 * as in Linux for such skbs.
 */
import { CsumFlag, CSUM_MANGLED_0, HErrno, SK_BUFF_HASH, StoreFlag } from './constants.js';
import { readBytes, sizeArg, writable, u32 } from './access.js';
import { csumPartialWords, csumReplace2, csumReplace4, csumReplaceByDiff } from './csum.js';
import { flags32, packetArg, type ImplTable } from './impl.js';
import type { PacketState } from './packet.js';

const INT_MAX = 0x7fffffff;
/** Room of csum_diff's scratch buffer: 128 words. */
const CSUM_DIFF_MAX = 512;

function packetLength(p: PacketState): number {
  return p.dataEnd - p.data;
}

/** Linux's l3/l4 preamble: the 2-byte field at `offset` must be inside the packet and even. */
function csumField(p: PacketState, offset: bigint): number {
  const off = BigInt.asUintN(32, offset);
  if (off > 0xffffn || (off & 1n) !== 0n || Number(off) + 2 > packetLength(p)) return -1;
  return p.data + Number(off);
}

function replace(check: number, size: number, from: bigint, to: bigint): number {
  switch (size) {
    case 0: return from !== 0n ? -1 : csumReplaceByDiff(check, u32(to));
    case 2: return csumReplace2(check, u32(from) & 0xffff, u32(to) & 0xffff);
    case 4: return csumReplace4(check, u32(from), u32(to));
    default: return -1;
  }
}

export const PACKET_IMPLS: ImplTable = {
  skb_load_bytes(env, ctx, _skb, offset, to, len) {
    const p = packetArg(env, 'skb_load_bytes', 'skb');
    const n = sizeArg(len, 'bpf_skb_load_bytes len');
    const at = writable(ctx, to, n);
    const off = BigInt.asUintN(32, offset);
    if (off > BigInt(INT_MAX) || Number(off) + n > packetLength(p)) {
      ctx.space.bytes.fill(0, at, at + n);
      return -HErrno.EFAULT;
    }
    ctx.space.bytes.copyWithin(at, p.data + Number(off), p.data + Number(off) + n);
    return 0;
  },
  skb_store_bytes(env, ctx, _skb, offset, from, len, flags) {
    const p = packetArg(env, 'skb_store_bytes', 'skb');
    const n = sizeArg(len, 'bpf_skb_store_bytes len');
    const data = readBytes(ctx, from, n);
    const f = flags32(flags);
    if (f & ~(StoreFlag.RECOMPUTE_CSUM | StoreFlag.INVALIDATE_HASH)) return -HErrno.EINVAL;
    const off = BigInt.asUintN(32, offset);
    if (off > BigInt(INT_MAX) || Number(off) + n > packetLength(p)) return -HErrno.EFAULT;
    ctx.space.bytes.set(data, p.data + Number(off));
    if (f & StoreFlag.INVALIDATE_HASH) {
      const hash = p.ctx + SK_BUFF_HASH;
      if (ctx.space.find(hash, 4)) ctx.space.view.setUint32(hash, 0, true);
    }
    return 0;
  },
  l3_csum_replace(env, ctx, _skb, offset, from, to, flags) {
    const p = packetArg(env, 'l3_csum_replace', 'skb');
    const f = flags32(flags);
    if (f & ~CsumFlag.HDR_FIELD_MASK) return -HErrno.EINVAL;
    const at = csumField(p, offset);
    if (at < 0) return -HErrno.EFAULT;
    const sum = replace(ctx.space.view.getUint16(at, true), f & CsumFlag.HDR_FIELD_MASK, BigInt.asUintN(64, from), to);
    if (sum < 0) return -HErrno.EINVAL;
    ctx.space.view.setUint16(at, sum, true);
    return 0;
  },
  l4_csum_replace(env, ctx, _skb, offset, from, to, flags) {
    const p = packetArg(env, 'l4_csum_replace', 'skb');
    const f = flags32(flags);
    const allowed = CsumFlag.HDR_FIELD_MASK | CsumFlag.PSEUDO_HDR | CsumFlag.MARK_MANGLED_0 | CsumFlag.MARK_ENFORCE;
    if (f & ~allowed) return -HErrno.EINVAL;
    const at = csumField(p, offset);
    if (at < 0) return -HErrno.EFAULT;
    const view = ctx.space.view;
    const check = view.getUint16(at, true);
    const mangled0 = (f & CsumFlag.MARK_MANGLED_0) !== 0;
    // A UDP checksum of 0 means "no checksum": leave it unless told to enforce.
    if (mangled0 && !(f & CsumFlag.MARK_ENFORCE) && check === 0) return 0;
    const size = f & CsumFlag.HDR_FIELD_MASK;
    // inet_proto_csum_replace2 is the 4-byte replacement of zero-extended 16-bit values.
    const sum = size === 2 ? replace(check, 4, BigInt.asUintN(16, from), BigInt.asUintN(16, to))
      : replace(check, size, BigInt.asUintN(64, from), to);
    if (sum < 0) return -HErrno.EINVAL;
    view.setUint16(at, mangled0 && sum === 0 ? CSUM_MANGLED_0 : sum, true);
    return 0;
  },
  csum_diff(_env, ctx, from, fromSize, to, toSize, seed) {
    const fs = BigInt.asUintN(32, fromSize);
    const ts = BigInt.asUintN(32, toSize);
    if (((fs | ts) & 3n) !== 0n || fs + ts > BigInt(CSUM_DIFF_MAX)) return -HErrno.EINVAL;
    const a = readBytes(ctx, from, Number(fs));
    const b = readBytes(ctx, to, Number(ts));
    // The kernel sums the complemented old words and the new words.
    const diff = new Uint8Array(a.length + b.length);
    for (let i = 0; i < a.length; i++) diff[i] = ~a[i]! & 0xff;
    diff.set(b, a.length);
    return csumPartialWords(diff, u32(seed));
  },
};

