/**
 * skb helpers that change the packet's size or metadata: skb_change_tail,
 * skb_change_head, skb_pull_data, set_hash / set_hash_invalid, csum_update; and
 * check_mtu (XDP and skb), against the one MTU every device has in ebee (`env.mtu`).
 *
 * Linux reallocates an skb that lacks room; ebee's packet lives in a fixed buffer
 * (the headroom and tailroom progs/ gave it), so growing past that room fails with
 * -ENOMEM, as an allocation failure would in Linux. The size limit is Linux's: the
 * device MTU plus the Ethernet header (`env.mtu`, default 1500).
 */
import { ETH_HLEN, HErrno, SK_BUFF_HASH } from './constants.js';
import { s32, u32, writable } from './access.js';
import { packetArg, type ImplTable } from './impl.js';
import type { HelperEnv } from './env.js';
import type { PacketState } from './packet.js';


function maxLen(env: HelperEnv): number {
  return env.mtu + ETH_HLEN;
}

function setHash(env: HelperEnv, p: PacketState, hash: number): void {
  const at = p.ctx + SK_BUFF_HASH;
  if (env.space.find(at, 4)) env.space.view.setUint32(at, hash, true);
}

/** BPF_MTU_CHK_SEGS: check GSO segments rather than the whole skb (skb only). */
const MTU_CHK_SEGS = 1;
/** BPF_MTU_CHK_RET_*. */
const MTU_OK = 0;
const MTU_FRAG_NEEDED = 1;
const ENODEV = 19;

export const SKB_SIZE_IMPLS: ImplTable = {
  check_mtu(env, ctx, _ctxArg, ifindex, mtuLen, lenDiff, flags) {
    const p = packetArg(env, 'check_mtu');
    const at = writable(ctx, mtuLen, 4);
    const f = BigInt.asUintN(64, flags);
    const view = ctx.space.view;
    const given = view.getUint32(at, true);
    const diff = s32(lenDiff);
    // XDP knows no flags; skb allows SEGS, but not together with a length to check.
    if (p.kind === 'xdp' ? f !== 0n : (f & ~BigInt(MTU_CHK_SEGS)) !== 0n || (f !== 0n && (diff !== 0 || given !== 0))) {
      return -HErrno.EINVAL;
    }
    const dev = u32(ifindex);
    if (dev !== 0 && env.ifindexes !== undefined && !env.ifindexes.has(dev)) return -ENODEV;
    // *mtu_len, when set, is an L3 length (like fib_lookup's tot_len); else the packet's length counts.
    const len = (given !== 0 ? given + ETH_HLEN : p.dataEnd - p.data) + diff;
    view.setUint32(at, env.mtu, true);
    return len <= maxLen(env) ? MTU_OK : MTU_FRAG_NEEDED;
  },
  skb_change_tail(env, _ctx, _skb, len, flags) {
    const p = packetArg(env, 'skb_change_tail', 'skb');
    const newLen = u32(len);
    if (BigInt.asUintN(64, flags) !== 0n || newLen > maxLen(env) || newLen < ETH_HLEN) return -HErrno.EINVAL;
    const end = p.data + newLen;
    if (end > p.region.end) return -HErrno.ENOMEM;
    // Growing pads with zeros (skb_pad).
    if (end > p.dataEnd) env.space.bytes.fill(0, p.dataEnd, end);
    p.dataEnd = end;
    p.sync();
    return 0;
  },
  skb_change_head(env, _ctx, _skb, headRoom, flags) {
    const p = packetArg(env, 'skb_change_head', 'skb');
    const room = u32(headRoom);
    const len = p.dataEnd - p.data;
    if (BigInt.asUintN(64, flags) !== 0n || len + room > maxLen(env)) return -HErrno.EINVAL;
    if (p.dataMeta - room < p.region.start) return -HErrno.ENOMEM;
    const bytes = env.space.bytes;
    // Metadata stays just before the data, as the skb's does.
    bytes.copyWithin(p.dataMeta - room, p.dataMeta, p.data);
    p.dataMeta -= room;
    p.data -= room;
    bytes.fill(0, p.data, p.data + room);
    p.sync();
    return 0;
  },
  skb_pull_data(env, _ctx, _skb, len) {
    // The packet is linear already: pulling succeeds for any length within it.
    const p = packetArg(env, 'skb_pull_data', 'skb');
    return u32(len) > p.dataEnd - p.data ? -HErrno.ENOMEM : 0;
  },
  set_hash(env, _ctx, _skb, hash) {
    setHash(env, packetArg(env, 'set_hash', 'skb'), u32(hash));
    return 0;
  },
  set_hash_invalid(env) {
    setHash(env, packetArg(env, 'set_hash_invalid', 'skb'), 0);
  },
  csum_update(env) {
    // Only CHECKSUM_COMPLETE skbs carry a csum to update; ebee's have none.
    packetArg(env, 'csum_update', 'skb');
    return -HErrno.ENOTSUPP;
  },
};
