import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { assemble } from '../asm/index.js';
import { Vm, VmError, VmErrorCode } from '../vm/index.js';
import { isEbeeError } from '../errors.js';
import {
  ArgKind, RetKind, HELPERS, MAX_HELPER_ID, createHelperEnv, createHelpers, helperById, helperByName, helperPrototype,
  HelperError, HelperErrorCode,
} from './index.js';

const HEADER = '/usr/include/linux/bpf.h';

test('every id 1..209 has a prototype, named and numbered as in bpf.h', { skip: !existsSync(HEADER) && `${HEADER} is absent` }, () => {
  const h = readFileSync(HEADER, 'utf8');
  const mapper = h.slice(h.indexOf('#define __BPF_FUNC_MAPPER'), h.indexOf('__BPF_FUNC_MAX_ID'));
  const names = [...mapper.matchAll(/FN\((\w+)/g)].map((m) => m[1]!);
  assert.equal(names[0], 'unspec');
  for (let id = 1; id < names.length && id <= MAX_HELPER_ID; id++) {
    assert.equal(helperPrototype(id)?.name, names[id], `id ${id}`);
  }
  assert.equal(HELPERS.length, MAX_HELPER_ID);
});

test('prototypes use only known kinds, at most five arguments, and a callback points at a PTR_TO_FUNC', () => {
  const args = new Set<string>(Object.values(ArgKind));
  const rets = new Set<string>(Object.values(RetKind));
  for (const h of HELPERS) {
    const p = h.prototype;
    assert.ok(rets.has(p.ret), `${p.name} ret ${p.ret}`);
    assert.ok(p.args.length <= 5, p.name);
    p.args.forEach((a, i) => {
      assert.ok(args.has(a), `${p.name} arg ${i} ${a}`);
      // A size argument always follows the memory it sizes.
      if (a === ArgKind.CONST_SIZE || a === ArgKind.CONST_SIZE_OR_ZERO) {
        assert.match(p.args[i - 1] ?? '', /mem|ptr_to_mem/, `${p.name}: size at ${i} follows ${p.args[i - 1]}`);
      }
    });
    if (p.callback) assert.equal(p.args[p.callback.arg], ArgKind.PTR_TO_FUNC, p.name);
  }
});

test('the kinds of a few well-known helpers', () => {
  const lookup = helperPrototype(1)!;
  assert.deepEqual([lookup.ret, ...lookup.args], [RetKind.PTR_TO_MAP_VALUE_OR_NULL, ArgKind.CONST_MAP_PTR, ArgKind.PTR_TO_MAP_KEY]);
  assert.equal(helperPrototype(131)!.ret, RetKind.PTR_TO_RINGBUF_MEM_OR_NULL);
  assert.equal(helperPrototype(132)!.args[0], ArgKind.PTR_TO_RINGBUF_MEM_RELEASE);
  assert.equal(helperPrototype(44)!.changesPacketData, true);
  assert.equal(helperPrototype(6)!.gplOnly, true);
  assert.equal(helperPrototype(0), undefined);
  assert.equal(helperPrototype(210), undefined);
  assert.equal(helperByName('bpf_loop')!.id, 181);
  assert.equal(helperByName('loop'), helperById(181));
  assert.equal(helperByName('no_such_helper'), undefined);
});

test('the helpers the issue lists are implemented', () => {
  const ids = [1, 2, 3, 87, 88, 89, 164, 5, 125, 118, 6, 177, 7, 8, 12, 14, 15, 16, 25, 26, 9, 10, 11, 28, 44, 54, 65,
    23, 51, 13, 69, 4, 45, 112, 113, 114, 115, 27, 67, 130, 131, 132, 133, 134, 93, 94, 181, 165, 182, 189, 190, 42];
  for (const id of ids) assert.ok(helperById(id)!.impl, `${helperById(id)!.name} (${id})`);
});

function run(source: string, mocks?: Parameters<typeof createHelpers>[1]) {
  const env = createHelperEnv();
  return new Vm({ space: env.space, helpers: createHelpers(env, mocks) }).run(assemble(source).insns);
}

test('a helper without an implementation fails naming itself and how to mock it', () => {
  assert.throws(() => run('call 109\nexit'), (e: unknown) => {
    assert.ok(e instanceof VmError && e.code === VmErrorCode.HELPER_FAILED);
    assert.ok(isEbeeError(e.cause, HelperErrorCode.NOT_IMPLEMENTED));
    assert.match((e.cause as Error).message, /bpf_send_signal \(id 109\) is not implemented by ebee; mock it/);
    return true;
  });
});

test('an id with no prototype is an unknown helper', () => {
  assert.throws(() => run('call 4000\nexit'), (e: unknown) =>
    e instanceof VmError && e.code === VmErrorCode.UNKNOWN_HELPER && /unknown helper 4000/.test(e.message));
});

test('mocks replace a helper by name (with or without bpf_) or id, and add new ids', () => {
  const src = 'call 109\nr6 = r0\ncall 7\nr6 += r0\ncall 5000\nr0 += r6\nexit';
  const r = run(src, { mocks: { bpf_send_signal: () => 100n, get_prandom_u32: () => 20, 5000: () => 3 } });
  assert.equal(r.r0, 123n);
  const byId = run('call 7\nexit', { mocks: { 7: (_c, r1) => r1 + 9n } });
  assert.equal(byId.r0, 9n);
});

test('bad mocks are typed errors', () => {
  const env = createHelperEnv();
  assert.throws(() => createHelpers(env, { mocks: { nope: () => 0 } }), (e: unknown) =>
    e instanceof HelperError && e.code === HelperErrorCode.UNKNOWN_HELPER && /nope/.test(e.message));
  assert.throws(() => createHelpers(env, { mocks: { loop: 5 as never } }), (e: unknown) =>
    e instanceof HelperError && e.code === HelperErrorCode.BAD_OPTION);
});

test('createHelperEnv rejects bad options with typed errors', () => {
  for (const bad of [{ task: { pid: -1 } }, { numaNode: 1.5 }, { clock: { stepNs: -1 } }, { random: 0.5 },
    { routes: [{ prefix: '10.0.0.300/8' }] }, { routes: [{ prefix: '10.0.0.0/40' }] }, { routes: [{ prefix: '1::2::3' }] },
    { routes: 'x' }, { random: 'seed' }, { stacks: { kernel: [1.5] } }, { probe: { user: [{ start: 5, end: 1 }] } },
    { routes: [{ prefix: '10.0.0.0/8', dmac: 'zz:00:00:00:00:00' }] }, { mtu: 70000 }]) {
    assert.throws(() => createHelperEnv(bad as never), (e: unknown) => e instanceof HelperError && e.code === HelperErrorCode.BAD_OPTION,
      JSON.stringify(bad));
  }
});
