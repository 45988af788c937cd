/**
 * bpf_fib_lookup answered from routes the user supplies: longest prefix match (lowest
 * metric among equals) in the table the flags select, and the fields of struct
 * bpf_fib_lookup filled as Linux fills them: egress ifindex, metric, the gateway in
 * ipv{4,6}_dst, MTU, and the MAC addresses (a route without a neighbour MAC gives
 * BPF_FIB_LKUP_RET_NO_NEIGH unless BPF_FIB_LOOKUP_SKIP_NEIGH).
 */
import { AF_INET, AF_INET6, FibFlag, FibResult, HErrno } from './constants.js';
import { s32, writable } from './access.js';
import { HelperError, HelperErrorCode } from './errors.js';
import type { ImplTable } from './impl.js';

export interface FibRoute {
  /** Destination: `10.0.0.0/8`, `192.0.2.7` (a host route), `2001:db8::/32`, `::/0`. */
  readonly prefix: string;
  /** Egress device (default 1). */
  readonly ifindex?: number;
  /** Next hop, written into ipv{4,6}_dst; absent for a directly connected destination. */
  readonly gateway?: string;
  /** The source address BPF_FIB_LOOKUP_SRC reports; without it that flag gives NO_SRC_ADDR. */
  readonly source?: string;
  /** The egress device's MAC, `aa:bb:cc:dd:ee:ff` (default all zero). */
  readonly smac?: string;
  /** The neighbour's MAC; absent means no neighbour entry. */
  readonly dmac?: string;
  /** Path MTU (default 1500). */
  readonly mtu?: number;
  readonly metric?: number;
  /** Route type: unicast (default) or one of the kinds Linux reports as a lookup result. */
  readonly type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';
  /** Routing table (default 254, RT_TABLE_MAIN); BPF_FIB_LOOKUP_TBID selects another. */
  readonly table?: number;
}

export interface CompiledRoute {
  readonly v6: boolean;
  readonly addr: Uint8Array;
  readonly prefixLen: number;
  readonly ifindex: number;
  readonly gateway: Uint8Array | undefined;
  readonly source: Uint8Array | undefined;
  readonly smac: Uint8Array;
  readonly dmac: Uint8Array | undefined;
  readonly mtu: number;
  readonly metric: number;
  readonly result: number;
  readonly table: number;
}

export interface FibTable {
  readonly routes: readonly CompiledRoute[];
}

const RT_TABLE_MAIN = 254;
/** sizeof(struct bpf_fib_lookup). */
const FIB_LOOKUP_SIZE = 64;

function bad(message: string): HelperError {
  return new HelperError(HelperErrorCode.BAD_OPTION, message);
}

/** Parses an IPv4 or IPv6 address into network-order bytes. */
export function parseIp(text: string): Uint8Array {
  if (text.includes(':')) {
    const halves = text.split('::');
    if (halves.length > 2) throw bad(`bad IPv6 address ${text}`);
    const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad(`bad IPv6 address ${text}`);
      return parseInt(g, 16);
    }));
    const head = parse(halves[0]!);
    const tail = halves.length === 2 ? parse(halves[1]!) : [];
    const fill = 8 - head.length - tail.length;
    if (halves.length === 1 ? fill !== 0 : fill < 1) throw bad(`bad IPv6 address ${text}`);
    const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
    const out = new Uint8Array(16);
    groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
    return out;
  }
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw bad(`bad IPv4 address ${text}`);
  return Uint8Array.from(parts.map(Number));
}

function parseMac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw bad(`bad MAC address ${text}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

const RESULT = { unicast: FibResult.SUCCESS, blackhole: FibResult.BLACKHOLE, unreachable: FibResult.UNREACHABLE, prohibit: FibResult.PROHIBIT };

function int(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw bad(`route ${what} must be a u32, not ${v}`);
  return v;
}

/** Checks and compiles the user's routes. */
export function compileRoutes(routes: readonly FibRoute[]): FibTable {
  return {
    routes: routes.map((r) => {
      if (typeof r?.prefix !== 'string') throw bad('a route needs a prefix string');
      const [ip, len, extra] = r.prefix.split('/');
      if (extra !== undefined) throw bad(`bad prefix ${r.prefix}`);
      const addr = parseIp(ip!);
      const max = addr.length * 8;
      const prefixLen = len === undefined ? max : Number(len);
      if (len !== undefined && !/^\d+$/.test(len) || prefixLen > max) throw bad(`bad prefix length in ${r.prefix}`);
      const type = r.type ?? 'unicast';
      if (!(type in RESULT)) throw bad(`unknown route type ${type}`);
      const gateway = r.gateway === undefined ? undefined : parseIp(r.gateway);
      const source = r.source === undefined ? undefined : parseIp(r.source);
      if ((gateway && gateway.length !== addr.length) || (source && source.length !== addr.length)) {
        throw bad(`route ${r.prefix}: gateway and source must be of the prefix's family`);
      }
      const mtu = int(r.mtu, 1500, 'mtu');
      if (mtu > 0xffff) throw bad(`route mtu ${mtu} does not fit mtu_result`);
      return {
        v6: addr.length === 16, addr, prefixLen, ifindex: int(r.ifindex, 1, 'ifindex'), gateway, source,
        smac: r.smac === undefined ? new Uint8Array(6) : parseMac(r.smac),
        dmac: r.dmac === undefined ? undefined : parseMac(r.dmac),
        mtu, metric: int(r.metric, 0, 'metric'), result: RESULT[type], table: int(r.table, RT_TABLE_MAIN, 'table'),
      };
    }),
  };
}

function matches(route: CompiledRoute, dst: Uint8Array): boolean {
  let bits = route.prefixLen;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((route.addr[i]! & mask) !== (dst[i]! & mask)) return false;
  }
  return true;
}

export function fibLookup(table: FibTable, v6: boolean, dst: Uint8Array, tbid: number): CompiledRoute | undefined {
  let best: CompiledRoute | undefined;
  for (const r of table.routes) {
    if (r.v6 !== v6 || r.table !== tbid || !matches(r, dst)) continue;
    if (!best || r.prefixLen > best.prefixLen || (r.prefixLen === best.prefixLen && r.metric < best.metric)) best = r;
  }
  return best;
}

export const FIB_IMPLS: ImplTable = {
  fib_lookup(env, ctx, _ctxArg, params, plen, flags) {
    if (s32(plen) < FIB_LOOKUP_SIZE) return -HErrno.EINVAL;
    const f = BigInt.asUintN(64, flags);
    const all = FibFlag.DIRECT | FibFlag.OUTPUT | FibFlag.SKIP_NEIGH | FibFlag.TBID | FibFlag.SRC;
    if ((f & ~BigInt(all)) !== 0n) return -HErrno.EINVAL;
    const fl = Number(f);
    const at = writable(ctx, params, FIB_LOOKUP_SIZE);
    const view = ctx.space.view;
    const bytes = ctx.space.bytes;
    const family = bytes[at]!;
    if (family !== AF_INET && family !== AF_INET6) return -HErrno.EAFNOSUPPORT;
    const v6 = family === AF_INET6;
    const alen = v6 ? 16 : 4;
    const dst = bytes.slice(at + 32, at + 32 + alen);
    const tbid = (fl & FibFlag.TBID) && (fl & FibFlag.DIRECT) ? view.getUint32(at + 48, true) : RT_TABLE_MAIN;
    const route = fibLookup(env.fib, v6, dst, tbid);
    if (!route) return FibResult.NOT_FWDED;
    if (route.result !== FibResult.SUCCESS) return route.result;
    const totLen = view.getUint16(at + 6, true);
    if (totLen > route.mtu) {
      view.setUint16(at + 6, route.mtu, true);
      return FibResult.FRAG_NEEDED;
    }
    if (fl & FibFlag.SRC) {
      if (!route.source) return FibResult.NO_SRC_ADDR;
      bytes.set(route.source, at + 16);
    }
    view.setUint32(at + 8, route.ifindex, true);
    view.setUint32(at + 12, route.metric, true);
    if (route.gateway) bytes.set(route.gateway, at + 32);
    if (fl & FibFlag.SKIP_NEIGH) {
      bytes.set(route.smac, at + 52);
      view.setUint16(at + 6, route.mtu, true);
      return FibResult.SUCCESS;
    }
    if (!route.dmac) return FibResult.NO_NEIGH;
    bytes.set(route.dmac, at + 58);
    bytes.set(route.smac, at + 52);
    view.setUint32(at + 48, 0, true);
    view.setUint16(at + 6, route.mtu, true);
    return FibResult.SUCCESS;
  },
};
