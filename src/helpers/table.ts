/**
 * The helper table: every prototype paired with ebee's implementation (when there is
 * one), and `createHelpers`, which turns the table into the `HelperRegistry` both
 * engines call, bound to one `HelperEnv`, with the user's mocks in place.
 */
import { HelperRegistry, type HelperContext, type HelperFn, type TypedHelper } from '../vm/index.js';
import type { HelperEnv } from './env.js';
import { HelperError, HelperErrorCode } from './errors.js';
import type { HelperImpl, ImplTable } from './impl.js';
import type { HelperPrototype } from './prototype.js';
import { PROTOTYPES } from './protos.js';
import { MAP_IMPLS } from './maps.js';
import { TASK_IMPLS } from './task.js';
import { PRINTK_IMPLS } from './printk.js';
import { PACKET_IMPLS } from './skb.js';
import { XDP_IMPLS } from './xdp.js';
import { REDIRECT_IMPLS } from './redirect.js';
import { FIB_IMPLS } from './fib.js';
import { PROBE_IMPLS } from './probe.js';
import { STACK_IMPLS } from './stack.js';
import { EVENT_IMPLS } from './events.js';
import { CALLBACK_IMPLS } from './callbacks.js';
import { MISC_IMPLS } from './misc.js';
import { STRTOX_IMPLS } from './strtox.js';
import { SKB_SIZE_IMPLS } from './skbsize.js';
import { DYNPTR_IMPLS } from './dynptr.js';
import { FAST_IMPLS, type TypedImpl } from './fast.js';

/** One helper: Linux's id and name, its prototype, and ebee's implementation (undefined: mock it). */
export interface HelperEntry {
  readonly id: number;
  readonly name: string;
  readonly prototype: HelperPrototype;
  readonly impl: HelperImpl | undefined;
  /** A BigInt-free fast path beside `impl` (see fast.ts). */
  readonly typed?: TypedImpl;
}

const IMPLS: ImplTable = Object.assign({},
  MAP_IMPLS, TASK_IMPLS, PRINTK_IMPLS, PACKET_IMPLS, XDP_IMPLS, REDIRECT_IMPLS, FIB_IMPLS, PROBE_IMPLS, STACK_IMPLS,
  EVENT_IMPLS, CALLBACK_IMPLS, MISC_IMPLS, STRTOX_IMPLS, SKB_SIZE_IMPLS, DYNPTR_IMPLS);

/** Every helper Linux numbers (ids 1..209), in id order. */
export const HELPERS: readonly HelperEntry[] = Object.freeze(PROTOTYPES.flatMap((prototype) => prototype
  ? [Object.freeze({
    id: prototype.id, name: prototype.name, prototype, impl: IMPLS[prototype.name],
    ...(FAST_IMPLS[prototype.name] ? { typed: FAST_IMPLS[prototype.name] } : {}),
  })]
  : []));

const BY_ID = new Map(HELPERS.map((h) => [h.id, h]));
const BY_NAME = new Map(HELPERS.map((h) => [h.name, h]));

for (const name of Object.keys(IMPLS)) {
  if (!BY_NAME.has(name)) throw new Error(`internal: implementation ${name} has no prototype`);
}
for (const name of Object.keys(FAST_IMPLS)) {
  if (!IMPLS[name]) throw new Error(`internal: fast path ${name} has no generic implementation`);
}

/** The prototype of helper `id`, or undefined when Linux has no such helper. */
export function helperPrototype(id: number): HelperPrototype | undefined {
  return BY_ID.get(id)?.prototype;
}

/** The helper with this id. */
export function helperById(id: number): HelperEntry | undefined {
  return BY_ID.get(id);
}

/** The helper with this name, with or without the `bpf_` prefix. */
export function helperByName(name: string): HelperEntry | undefined {
  return BY_NAME.get(name.startsWith('bpf_') ? name.slice(4) : name);
}

export interface CreateHelpersOptions {
  /**
   * Replacements by id or name (`map_lookup_elem` or `bpf_map_lookup_elem`); an id
   * Linux does not number adds a helper of ebee's own.
   */
  readonly mocks?: Readonly<Record<string | number, HelperFn>>;
}

function notImplemented(entry: HelperEntry): HelperFn {
  return () => {
    throw new HelperError(HelperErrorCode.NOT_IMPLEMENTED,
      `bpf_${entry.name} (id ${entry.id}) is not implemented by ebee; mock it with createHelpers(env, { mocks: { ${entry.name}: fn } })`);
  };
}

function bind(env: HelperEnv, impl: HelperImpl): HelperFn {
  return (ctx: HelperContext, r1, r2, r3, r4, r5) => impl(env, ctx, r1, r2, r3, r4, r5);
}

function bindTyped(env: HelperEnv, typed: TypedImpl): TypedHelper {
  const fn = typed.fn;
  return { args: typed.args, ret: typed.ret, fn: (ctx: HelperContext, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) => fn(env, ctx, a, b, c, d, e) };
}

/** The registry the engines call: every helper of the table bound to `env`, mocks replacing any of them. */
export function createHelpers(env: HelperEnv, options: CreateHelpersOptions = {}): HelperRegistry {
  const registry = new HelperRegistry();
  for (const h of HELPERS) {
    registry.register(h.id, `bpf_${h.name}`, h.impl ? bind(env, h.impl) : notImplemented(h), h.impl && h.typed ? bindTyped(env, h.typed) : undefined);
  }
  for (const [key, fn] of Object.entries(options.mocks ?? {})) {
    if (typeof fn !== 'function') {
      throw new HelperError(HelperErrorCode.BAD_OPTION, `mock ${key} is not a function`);
    }
    if (/^\d+$/.test(key)) {
      const id = Number(key);
      if (!Number.isSafeInteger(id) || id > 0xffffffff) throw new HelperError(HelperErrorCode.BAD_OPTION, `mock id ${key} is not a u32`);
      registry.register(id, BY_ID.has(id) ? `bpf_${BY_ID.get(id)!.name}` : `helper_${id}`, fn);
      continue;
    }
    const entry = helperByName(key);
    if (!entry) throw new HelperError(HelperErrorCode.UNKNOWN_HELPER, `mock ${key}: Linux has no helper of that name`);
    registry.register(entry.id, `bpf_${entry.name}`, fn);
  }
  return registry;
}
