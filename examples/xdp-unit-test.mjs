// Unit-testing a clang-built XDP program, as a CI job would, with no root and no kernel.
// The program is src/elf/fixtures/xdp_parser.bpf.c (compiled by scripts/build-fixtures.sh):
// it counts IPv4 flows in a BTF hash map, drops truncated packets and bounces DNS
// queries (UDP to port 53) with XDP_TX.
// Run: node --test examples/xdp-unit-test.mjs   (after npm install, which builds dist/)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Runtime } from 'ebee';

const object = readFileSync(new URL('../src/elf/fixtures/xdp_parser.o', import.meta.url));

/** An Ethernet + IPv4 frame from 192.168.1.2 to 192.168.1.1 with `payload` after the IP header. */
function ipv4(protocol, payload) {
  const frame = new Uint8Array(14 + 20 + payload.length);
  frame.set([0x08, 0x00], 12);                                   // EtherType IPv4
  frame.set([0x45, 0, 0, 20 + payload.length, 0, 0, 0, 0, 64, protocol, 0, 0, 192, 168, 1, 2, 192, 168, 1, 1], 14);
  frame.set(payload, 34);
  return frame;
}
const udpTo = (port) => ipv4(17, [0x30, 0x39, port >> 8, port & 0xff, 0, 8, 0, 0]);
const flowKey = (protocol) => Uint8Array.of(192, 168, 1, 2, 192, 168, 1, 1, protocol, 0, 0, 0);

for (const engine of ['jit', 'interpreter']) {
  test(`xdp_parse [${engine}]: DNS queries bounce, other traffic passes and is counted per flow`, () => {
    const obj = new Runtime({ engine }).loadObject(object);
    const prog = obj.program('xdp_parse');          // its type (XDP) comes from SEC("xdp")

    assert.equal(prog.testRun({ data: udpTo(53) }).action, 'XDP_TX');
    assert.equal(prog.testRun({ data: udpTo(123) }).action, 'XDP_PASS');
    assert.equal(prog.testRun({ data: ipv4(6, new Uint8Array(20)), repeat: 5 }).action, 'XDP_PASS');

    const flows = obj.map('flows');
    assert.equal(flows.lookupU64(flowKey(17)), 2n);
    assert.equal(flows.lookupU64(flowKey(6)), 5n);   // repeat: 5 ran it five times
  });

  test(`xdp_parse [${engine}]: a truncated IPv4 header is dropped, the packet left as it was`, () => {
    const prog = new Runtime({ engine }).loadObject(object).program('xdp_parse');
    const short = ipv4(17, []).subarray(0, 30);
    const result = prog.testRun({ data: short });
    assert.equal(result.action, 'XDP_DROP');
    assert.deepEqual(result.data, short);
  });
}
