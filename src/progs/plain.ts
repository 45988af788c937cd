/**
 * The test-run harness of types Linux cannot test-run (sock_ops, perf_event,
 * cgroup_sock, cgroup_sock_addr, fentry...): the context is built from `ctx_in`
 * (bytes, or fields by name) with zeros elsewhere, no packet, and nothing else
 * simulated: no socket, no perf sample, no traced function behind it. Such types
 * say `linuxTestRun: false`; this is ebee's convenience for unit tests of their
 * logic, not a model of the hook that would run them.
 */
import type { AddressSpace, Region } from '../vm/index.js';
import type { ContextLayout } from '../verifier/context.js';
import { ProgError, ProgErrorCode } from './errors.js';
import { contextBytes } from './xdp.js';
import type { RunSetup, TestRunInput } from './types.js';

/** A harness giving the program a `size`-byte context from `ctx_in`; `writable` copies it back as `ctx_out`. */
export function plainSetup(layout: ContextLayout, size: number, writable: boolean):
  (space: AddressSpace, input: TestRunInput) => RunSetup {
  return (space, input) => {
    noData(input, layout.name);
    const bytes = contextBytes(input.ctx, layout, size) ?? new Uint8Array(size);
    return contextSetup(space, bytes, `ctx:${layout.name}`, writable, writable);
  };
}

/** Test runs of these types take a context, never packet data. */
export function noData(input: TestRunInput, what: string): void {
  if (input.data !== undefined && input.data.length > 0) {
    throw new ProgError(ProgErrorCode.BAD_DATA, `${what} programs take no packet data`);
  }
}

/** A context region holding `bytes` (none when empty), freed with the run; `copyBack` gives it back as `ctx_out`. */
export function contextSetup(space: AddressSpace, bytes: Uint8Array | undefined, name: string, writable: boolean,
  copyBack: boolean): RunSetup {
  if (!bytes || bytes.length === 0) {
    return { ctx: 0, finish: () => ({ data: undefined, ctx: undefined }), release() {} };
  }
  const region: Region = space.allocBytes(bytes, { name, writable });
  return {
    ctx: region.start,
    finish: () => ({ data: undefined, ctx: copyBack ? space.read(region.start, region.size) : undefined }),
    release: () => space.release(region),
  };
}

