import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, MapType, PAGE_SIZE, RingbufFlag, RingbufHeader, RingbufQuery } from './constants.js';
import { RingBufMap, ringbufCommit, ringbufOfRecord } from './ringbuf.js';
import { create, place, registry, throwsErrno } from './maps.test.fixture.js';

const spec = { type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: PAGE_SIZE, name: 'events' };
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

test('reserve writes a busy header; submit clears it; the consumer reads records in order', () => {
  const reg = registry();
  const rb = create(reg, spec, RingBufMap);
  assert.equal(rb.consumerPosAddress % PAGE_SIZE, 0);
  assert.equal(rb.producerPosAddress - rb.consumerPosAddress, PAGE_SIZE);
  const r1 = rb.reserve(5, 0);
  assert.equal(r1, rb.dataAddress + RingbufHeader.HDR_SZ);
  const view = reg.space.view;
  assert.equal(view.getUint32(r1 - 8, true), (5 | RingbufHeader.BUSY_BIT) >>> 0);
  assert.equal(view.getUint32(r1 - 4, true), 2, 'pg_off: the header is 2 pages into the region');
  reg.space.bytes.set(new TextEncoder().encode('hello'), r1);
  assert.equal(rb.producerPos, 16);
  assert.deepEqual(rb.consume(), [], 'a busy record blocks the consumer');
  const r2 = rb.reserve(3);
  reg.space.bytes.set(new TextEncoder().encode('abc'), r2);
  rb.submit(r2);
  assert.deepEqual(rb.consume(), [], 'records become visible in reservation order');
  rb.submit(r1);
  assert.equal(view.getUint32(r1 - 8, true), 5);
  assert.deepEqual(rb.consume().map(text), ['hello', 'abc']);
  assert.equal(rb.consumerPos, 32);
  assert.equal(rb.availableData, 0);
  throws(() => rb.submit(r1));
});

function throws(fn: () => void): void {
  assert.throws(fn);
}

test('discarded records are skipped; query reports sizes and positions', () => {
  const reg = registry();
  const rb = create(reg, spec, RingBufMap);
  const a = rb.reserve(8);
  const b = rb.reserve(8);
  reg.space.view.setUint32(b, 0xfeed, true);
  rb.discard(a);
  assert.equal(reg.space.view.getUint32(a - 8, true), (8 | RingbufHeader.DISCARD_BIT) >>> 0);
  rb.submit(b);
  assert.equal(rb.query(RingbufQuery.AVAIL_DATA), 32);
  assert.equal(rb.query(RingbufQuery.RING_SIZE), PAGE_SIZE);
  assert.equal(rb.query(RingbufQuery.PROD_POS), 32);
  assert.equal(rb.query(RingbufQuery.CONS_POS), 0);
  assert.equal(rb.query(99), 0);
  const got = rb.consume();
  assert.equal(got.length, 1);
  assert.equal(new DataView(got[0]!.buffer).getUint32(0, true), 0xfeed);
  assert.equal(rb.query(RingbufQuery.CONS_POS), 32);
});

test('a full ring refuses reservations (NULL) and output returns -EAGAIN', () => {
  const reg = registry();
  const rb = create(reg, spec, RingBufMap);
  assert.equal(rb.reserve(PAGE_SIZE), 0, 'larger than the ring');
  assert.equal(rb.reserve(8, 1), 0, 'flags must be 0');
  // 4096 bytes hold at most 4088 bytes of records: the producer may not get a whole ring ahead.
  const big = rb.reserve(PAGE_SIZE - 16);
  assert.ok(big !== 0);
  assert.equal(rb.reserve(1), 0);
  const data = place(reg, [1, 2, 3, 4]);
  assert.equal(rb.output(data, 4, 0), -Errno.EAGAIN);
  assert.equal(rb.output(data, 4, 4), -Errno.EINVAL);
  rb.submit(big);
  assert.equal(rb.consume().length, 1);
  assert.equal(rb.output(data, 4, RingbufFlag.NO_WAKEUP), 0);
  assert.deepEqual([...rb.consume()[0]!], [1, 2, 3, 4]);
});

test('records wrap around the end of the ring and read back contiguous', () => {
  const reg = registry();
  const rb = create(reg, spec, RingBufMap);
  const payload = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
  let produced = 0;
  for (let round = 0; round < 40; round++) {
    const size = 100 + ((round * 37) % 300);
    const rec = rb.reserve(size);
    assert.ok(rec !== 0, `round ${round}`);
    reg.space.bytes.set(payload(size, round), rec);
    if (round % 5 === 4) rb.discard(rec);
    else rb.submit(rec);
    produced += size;
    const got = rb.consume();
    if (round % 5 === 4) assert.equal(got.length, 0);
    else assert.deepEqual([...got[0]!], [...payload(size, round)]);
  }
  assert.ok(rb.producerPos > 2 * PAGE_SIZE, 'went around more than once');
  assert.ok(produced > 2 * PAGE_SIZE);
  // A record spanning the end is mirrored into the ring's first bytes at commit.
  while (rb.producerPos % PAGE_SIZE < PAGE_SIZE - 64) { const r = rb.reserve(32); rb.submit(r); rb.consume(); }
  const rec = rb.reserve(200);
  const hdrOffset = rec - 8 - rb.dataAddress;
  assert.ok(hdrOffset + 208 > PAGE_SIZE, 'this record crosses the end');
  reg.space.bytes.set(payload(200, 99), rec);
  rb.submit(rec);
  const wrapped = hdrOffset + 208 - PAGE_SIZE;
  assert.deepEqual([...reg.space.read(rb.dataAddress, wrapped)], [...reg.space.read(rb.dataAddress + PAGE_SIZE, wrapped)]);
  assert.deepEqual([...rb.consume()[0]!], [...payload(200, 99)]);
});

test('submit and discard find the buffer from the record pointer (pg_off)', () => {
  const reg = registry();
  const other = create(reg, spec, RingBufMap);
  const rb = create(reg, { ...spec, maxEntries: 4 * PAGE_SIZE }, RingBufMap);
  for (let i = 0; i < 300; i++) { const r = rb.reserve(40); rb.submit(r); }
  rb.consume();
  const rec = rb.reserve(16);
  assert.ok(reg.space.view.getUint32(rec - 4, true) >= 2);
  assert.equal(ringbufOfRecord(reg, rec), rb);
  assert.equal(ringbufOfRecord(reg, other.reserve(8)), other);
  ringbufCommit(reg, rec, false);
  assert.equal(rb.consume().length, 1);
  assert.throws(() => ringbufCommit(reg, 0x20000, false));
});

test('wakeups: adaptive by default, forced, or suppressed', () => {
  const reg = registry();
  const rb = create(reg, spec, RingBufMap);
  let calls = 0;
  rb.onWakeup = () => { calls++; };
  const a = rb.reserve(8);
  const b = rb.reserve(8);
  rb.submit(b);
  assert.equal(rb.wakeups, 0, 'the consumer has not caught up to b');
  rb.submit(a);
  assert.equal(rb.wakeups, 1, 'a is where the consumer stands');
  rb.submit(rb.reserve(8), RingbufFlag.FORCE_WAKEUP);
  assert.equal(rb.wakeups, 2);
  rb.consume();
  rb.submit(rb.reserve(8), RingbufFlag.NO_WAKEUP);
  assert.equal(rb.wakeups, 2);
  assert.equal(calls, 2);
});

test('the generic calls are not supported', () => {
  const rb = create(registry(), spec, RingBufMap);
  throwsErrno(() => rb.lookup(), Errno.ENOTSUPP);
  throwsErrno(() => rb.update(null, new Uint8Array(0)), Errno.ENOTSUPP);
  throwsErrno(() => rb.delete(), Errno.ENOTSUPP);
  throwsErrno(() => rb.getNextKey(), Errno.ENOTSUPP);
  assert.equal(rb.lookupAddress(0x10000), 0);
});
