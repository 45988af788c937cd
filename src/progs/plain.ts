/**
 * The test-run harness of types Linux cannot test-run (sock_ops, perf_event,
 * cgroup_sock, cgroup_sock_addr, fentry...): the context is built from `ctx_in`
 * (bytes, or fields by name) with zeros elsewhere, no packet, and nothing else
 * simulated: no socket, no perf sample, no traced function behind it. Such types
 * say `linuxTestRun: false`; this is ebee's convenience for unit tests of their
 * logic, not a model of the hook that would run them.
 */
import type { AddressSpace } from '../vm/index.js';
import type { ContextLayout } from '../verifier/context.js';
import { ProgError, ProgErrorCode } from './errors.js';
import { contextBytes } from './xdp.js';
import type { RunSetup, TestRunInput } from './types.js';

/** A harness giving the program a `size`-byte context from `ctx_in`; `writable` copies it back as `ctx_out`. */
export function plainSetup(layout: ContextLayout, size: number, writable: boolean):
  (space: AddressSpace, input: TestRunInput) => RunSetup {
  return (space, input) => {
    if (input.data !== undefined && input.data.length > 0) {
      throw new ProgError(ProgErrorCode.BAD_DATA, `${layout.name} programs take no packet data in ebee's test run`);
    }
    const bytes = contextBytes(input.ctx, layout, size) ?? new Uint8Array(size);
    const region = space.allocBytes(bytes, { name: `ctx:${layout.name}`, writable });
    return {
      ctx: region.start,
      finish: () => ({ data: undefined, ctx: writable ? space.read(region.start, size) : undefined }),
      release: () => space.release(region),
    };
  };
}
