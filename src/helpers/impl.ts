/**
 * What an implementation is, and the argument conversions every concern shares.
 */
import type { HelperContext } from '../vm/index.js';
import type { BpfMap } from '../maps/index.js';
import type { HelperEnv } from './env.js';
import type { PacketState } from './packet.js';
import { HelperError, HelperErrorCode } from './errors.js';

/** A helper's implementation: the env of the run, the engine's call context, r1-r5. Returns r0. */
export type HelperImpl = (
  env: HelperEnv, ctx: HelperContext, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint,
) => bigint | number | void;

/** Implementations of one concern, by Linux name without `bpf_`. */
export type ImplTable = Readonly<Record<string, HelperImpl>>;

/** The map a program-visible map pointer designates; a pointer to no map is the program's bug. */
export function mapArg(env: HelperEnv, value: bigint, helper: string): BpfMap {
  const v = BigInt.asUintN(64, value);
  const map = v < 0x100000000n ? env.maps.mapByAddress(Number(v)) : undefined;
  if (!map) {
    throw new HelperError(HelperErrorCode.BAD_ARGUMENT, `bpf_${helper}: 0x${v.toString(16)} is not a map pointer`);
  }
  return map;
}

/** The run's packet, which the helper needs (of `kind`, when given). */
export function packetArg(env: HelperEnv, helper: string, kind?: 'xdp' | 'skb'): PacketState {
  const p = env.packet;
  if (!p) throw new HelperError(HelperErrorCode.NO_PACKET, `bpf_${helper} needs a packet, and this run has none`);
  if (kind && p.kind !== kind) {
    throw new HelperError(HelperErrorCode.NO_PACKET, `bpf_${helper} works on ${kind} packets, and this run's packet is ${p.kind}`);
  }
  return p;
}

/** Flags that must be small: any bit above 31 makes them invalid. */
export function flags32(value: bigint): number {
  const v = BigInt.asUintN(64, value);
  return v > 0xffffffffn ? -1 : Number(v);
}
