/**
 * XDP buffer helpers. The buffer is laid out as `PacketState` says: the head
 * (`region.start`) holds Linux's struct xdp_frame (40 bytes) before any headroom the
 * program may use, the metadata sits just before the data, and `region.end` is the
 * end of the usable tailroom (Linux's data_hard_end). Each successful change moves
 * the pointers and calls `sync()` so the program's context sees them.
 */
import { ETH_HLEN, HErrno, XDP_FRAME_SIZE, XDP_META_MAX } from './constants.js';
import { readBytes, sizeArg, writable, s32 } from './access.js';
import { packetArg, type ImplTable } from './impl.js';
import type { PacketState } from './packet.js';

/** Linux's bpf_xdp_pointer checks: -EFAULT for absurd sizes, -EINVAL past the packet. */
function xdpRange(p: PacketState, offset: bigint, len: number): number {
  const off = BigInt.asUintN(32, offset);
  if (off > 0xffffn || len > 0xffff) return -HErrno.EFAULT;
  if (Number(off) + len > p.dataEnd - p.data) return -HErrno.EINVAL;
  return p.data + Number(off);
}

export const XDP_IMPLS: ImplTable = {
  xdp_adjust_head(env, _ctx, _xdp, delta) {
    const p = packetArg(env, 'xdp_adjust_head', 'xdp');
    const d = s32(delta);
    const metalen = p.data - p.dataMeta;
    const data = p.data + d;
    if (data < p.region.start + XDP_FRAME_SIZE + metalen || data > p.dataEnd - ETH_HLEN) return -HErrno.EINVAL;
    if (metalen > 0) env.space.bytes.copyWithin(p.dataMeta + d, p.dataMeta, p.data);
    p.dataMeta += d;
    p.data = data;
    p.sync();
    return 0;
  },
  xdp_adjust_meta(env, _ctx, _xdp, delta) {
    const p = packetArg(env, 'xdp_adjust_meta', 'xdp');
    const meta = p.dataMeta + s32(delta);
    if (meta < p.region.start + XDP_FRAME_SIZE || meta > p.data) return -HErrno.EINVAL;
    const metalen = p.data - meta;
    if (metalen % 4 !== 0 || metalen > XDP_META_MAX) return -HErrno.EACCES;
    p.dataMeta = meta;
    p.sync();
    return 0;
  },
  xdp_adjust_tail(env, _ctx, _xdp, delta) {
    const p = packetArg(env, 'xdp_adjust_tail', 'xdp');
    const d = s32(delta);
    const end = p.dataEnd + d;
    if (end > p.region.end || end < p.data + ETH_HLEN) return -HErrno.EINVAL;
    // Growing exposes tailroom: Linux clears it so no stale bytes leak.
    if (d > 0) env.space.bytes.fill(0, p.dataEnd, end);
    p.dataEnd = end;
    p.sync();
    return 0;
  },
  xdp_get_buff_len(env) {
    const p = packetArg(env, 'xdp_get_buff_len', 'xdp');
    return p.dataEnd - p.data;
  },
  xdp_load_bytes(env, ctx, _xdp, offset, buf, len) {
    const p = packetArg(env, 'xdp_load_bytes', 'xdp');
    const n = sizeArg(len, 'bpf_xdp_load_bytes len');
    const at = writable(ctx, buf, n);
    const src = xdpRange(p, offset, n);
    if (src < 0) return src;
    ctx.space.bytes.copyWithin(at, src, src + n);
    return 0;
  },
  xdp_store_bytes(env, ctx, _xdp, offset, buf, len) {
    const p = packetArg(env, 'xdp_store_bytes', 'xdp');
    const n = sizeArg(len, 'bpf_xdp_store_bytes len');
    const data = readBytes(ctx, buf, n);
    const dst = xdpRange(p, offset, n);
    if (dst < 0) return dst;
    ctx.space.bytes.set(data, dst);
    return 0;
  },
};
