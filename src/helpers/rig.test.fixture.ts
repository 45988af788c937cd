/**
 * Shared test rig (not a test file itself): runs a program on both engines, each
 * against its own freshly built env, so what one run changes (maps, clock, printk)
 * cannot leak into the other, and both must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../asm/index.js';
import { Vm, type HelperFn, type RunResult, type Region, type AddressSpace } from '../vm/index.js';
import { JitVm } from '../jit/index.js';
import { createHelpers } from './table.js';
import type { HelperEnv } from './env.js';
import type { PacketState } from './packet.js';

export const ENGINES = ['interpreter', 'jit'] as const;
export type Engine = typeof ENGINES[number];

export interface RunOptions {
  readonly args?: readonly (bigint | number)[];
  readonly mocks?: Readonly<Record<string | number, HelperFn>>;
}

export type Runner = (source: string, options?: RunOptions) => RunResult;

/** Declares one test per engine: `setup` builds fresh state, `body` runs and checks. */
export function bothEngines<T extends { env: HelperEnv }>(
  name: string, setup: () => T, body: (t: T, run: Runner, engine: Engine) => void,
): void {
  for (const engine of ENGINES) {
    test(`${name} [${engine}]`, () => {
      const t = setup();
      const run: Runner = (source, options = {}) => {
        const helpers = createHelpers(t.env, { mocks: options.mocks });
        const vm = engine === 'jit' ? new JitVm({ space: t.env.space, helpers }) : new Vm({ space: t.env.space, helpers });
        const result = vm.run(assemble(source).insns, { args: options.args });
        return { r0: result.r0, executed: result.executed ?? -1, tailCall: result.tailCall };
      };
      body(t, run, engine);
    });
  }
}

/** r0 as a signed 64-bit number (for -errno results). */
export const signed = (r: RunResult): bigint => BigInt.asIntN(64, r.r0);

/** Instructions that store `bytes` at r10 - `offset` onwards, one byte store each. */
export function storeBytes(bytes: ArrayLike<number>, offset: number): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i++) lines.push(`*(u8 *)(r10 - ${offset - i}) = ${bytes[i]}`);
  return lines.join('\n');
}

/** Instructions that store a NUL-terminated string at r10 - `offset`. */
export function storeString(s: string, offset: number): string {
  return storeBytes([...new TextEncoder().encode(s), 0], offset);
}

/** Offsets of the fields the fake contexts hold (struct xdp_md, struct __sk_buff). */
export const XDP_MD = { data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12 } as const;
export const SK_BUFF = { len: 0, hash: 68, data: 76, data_end: 80, data_meta: 140, size: 192 } as const;

/**
 * A packet in its own region, laid out as `PacketState` says, with a context whose
 * data / data_end / data_meta (and skb len) `sync` keeps current: what progs/ builds
 * for real test runs.
 */
export function fakePacket(space: AddressSpace, kind: 'xdp' | 'skb', data: ArrayLike<number>,
  { headroom = 256, tailroom = 64 } = {}): PacketState {
  const region: Region = space.alloc(headroom + data.length + tailroom, { name: `packet:${kind}` });
  const ctxRegion = space.alloc(kind === 'xdp' ? 24 : SK_BUFF.size, { name: `ctx:${kind}` });
  space.bytes.set(Uint8Array.from(data), region.start + headroom);
  const state: PacketState = {
    kind, region, ctx: ctxRegion.start,
    dataMeta: region.start + headroom, data: region.start + headroom, dataEnd: region.start + headroom + data.length,
    sync() {
      const v = space.view;
      if (kind === 'xdp') {
        v.setUint32(ctxRegion.start + XDP_MD.data, state.data, true);
        v.setUint32(ctxRegion.start + XDP_MD.data_end, state.dataEnd, true);
        v.setUint32(ctxRegion.start + XDP_MD.data_meta, state.dataMeta, true);
      } else {
        v.setUint32(ctxRegion.start + SK_BUFF.len, state.dataEnd - state.data, true);
        v.setUint32(ctxRegion.start + SK_BUFF.data, state.data, true);
        v.setUint32(ctxRegion.start + SK_BUFF.data_end, state.dataEnd, true);
        v.setUint32(ctxRegion.start + SK_BUFF.data_meta, state.dataMeta, true);
      }
    },
    bytes: () => space.bytes.subarray(state.data, state.dataEnd),
  };
  state.sync();
  return state;
}

/** Asserts two byte arrays are equal, showing both in hex on failure. */
export function assertBytes(actual: Uint8Array, expected: ArrayLike<number>, message?: string): void {
  const hex = (b: ArrayLike<number>): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
  assert.equal(hex(actual), hex(expected), message);
}
