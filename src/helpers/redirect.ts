/**
 * Redirects. ebee has no devices: the helpers record what the program asked for in
 * `env.redirects` and return what Linux returns, so the program's verdict and the
 * recorded target are what a test checks. The packet's kind decides the flavour:
 * XDP's bpf_redirect returns XDP_REDIRECT (XDP_ABORTED for any flag), tc's returns
 * TC_ACT_REDIRECT (TC_ACT_SHOT for a flag other than BPF_F_INGRESS).
 */
import { XdpAction, type RedirectMap } from '../maps/index.js';
import { BPF_F_INGRESS, HErrno, TcAction } from './constants.js';
import { HelperError, HelperErrorCode } from './errors.js';
import { packetArg, mapArg, type ImplTable } from './impl.js';
import { u32 } from './access.js';

function isRedirectMap(m: unknown): m is RedirectMap {
  return typeof (m as RedirectMap).redirectMap === 'function';
}

export const REDIRECT_IMPLS: ImplTable = {
  redirect(env, _ctx, ifindex, flags) {
    const f = BigInt.asUintN(64, flags);
    const xdp = env.packet?.kind === 'xdp';
    if (xdp ? f !== 0n : (f & ~BigInt(BPF_F_INGRESS)) !== 0n) return xdp ? XdpAction.ABORTED : TcAction.SHOT;
    const result = xdp ? XdpAction.REDIRECT : TcAction.REDIRECT;
    env.redirects.push({ kind: 'redirect', ifindex: u32(ifindex), flags: f, result });
    return result;
  },
  redirect_map(env, _ctx, map, key, flags) {
    const m = mapArg(env, map, 'redirect_map');
    if (!isRedirectMap(m)) {
      throw new HelperError(HelperErrorCode.BAD_ARGUMENT, `bpf_redirect_map: map ${m.label} is not a DEVMAP, DEVMAP_HASH, CPUMAP or XSKMAP`);
    }
    const k = u32(key);
    const f = BigInt.asUintN(64, flags);
    const { action, targets } = m.redirectMap(k, f, env.ingressIfindex);
    if (action === XdpAction.REDIRECT) {
      env.redirects.push({ kind: 'redirect_map', ifindex: targets[0]?.ifindex ?? 0, flags: f, map: m, key: k, targets, result: action });
    }
    return action;
  },
  redirect_peer(env, _ctx, ifindex, flags) {
    // tc ingress only: to the peer device of a veth pair; no flags are defined.
    const f = BigInt.asUintN(64, flags);
    if (f !== 0n) return TcAction.SHOT;
    env.redirects.push({ kind: 'redirect_peer', ifindex: u32(ifindex), flags: f, result: TcAction.REDIRECT });
    return TcAction.REDIRECT;
  },
  clone_redirect(env, _ctx, _skb, ifindex, flags) {
    packetArg(env, 'clone_redirect', 'skb');
    const f = BigInt.asUintN(64, flags);
    const dev = u32(ifindex);
    if ((f & ~BigInt(BPF_F_INGRESS)) !== 0n) return -HErrno.EINVAL;
    if (dev === 0 || (env.ifindexes !== undefined && !env.ifindexes.has(dev))) return -HErrno.EINVAL;
    env.redirects.push({ kind: 'clone_redirect', ifindex: dev, flags: f, result: 0 });
    return 0;
  },
};
