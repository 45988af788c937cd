import { test } from 'node:test';
import assert from 'node:assert/strict';

import { bytes, be16, be32, le32, zeros, ETH_IPV4, ETH_ARP, IPV4_UDP, IPV6_EMPTY } from './capture.test.fixture.js';
import { readCapture } from './decoder.js';
import { EtherType, etherTypeName, recordToEthernet, toEthernet } from './ethernet.js';
import { PcapError, PcapErrorCode } from './errors.js';
import { LinkType, linkTypeFromName, linkTypeName } from './linktype.js';
import { writePcap } from './writer.js';

const isCode = (code: string) => (e: unknown) => e instanceof PcapError && e.code === code;
const ZERO_MACS = zeros(12);

test('the link-type table has the registry numbers', () => {
  assert.deepEqual(
    [LinkType.NULL, LinkType.ETHERNET, LinkType.RAW, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL2],
    [0, 1, 101, 108, 113, 228, 229, 276],
  );
  assert.equal(linkTypeName(113), 'LINUX_SLL');
  assert.equal(linkTypeName(60000), 'LINKTYPE_60000');
  assert.equal(linkTypeFromName('linktype_linux_sll2'), 276);
  assert.equal(linkTypeFromName('ethernet'), 1);
  assert.equal(linkTypeFromName('toString'), undefined);
});

test('Ethernet frames pass through unchanged', () => {
  const e = toEthernet(LinkType.ETHERNET, ETH_ARP);
  assert.equal(e.frame, ETH_ARP);
  assert.equal(e.converted, false);
  assert.equal(e.etherType, EtherType.ARP);
  assert.equal(e.protocol, 'arp');
  assert.throws(() => toEthernet(LinkType.ETHERNET, bytes('01 02')), isCode(PcapErrorCode.BAD_FRAME));
});

test('raw IP gets a synthesized header with the right ethertype', () => {
  const v4 = toEthernet(LinkType.RAW, IPV4_UDP);
  assert.deepEqual(v4.frame, bytes(ZERO_MACS, '08 00', IPV4_UDP));
  assert.equal(v4.protocol, 'ipv4');
  assert.equal(v4.originalLength, IPV4_UDP.length + 14);
  const v6 = toEthernet(LinkType.RAW, IPV6_EMPTY);
  assert.deepEqual(v6.frame, bytes(ZERO_MACS, '86 dd', IPV6_EMPTY));
  assert.equal(v6.protocol, 'ipv6');
  assert.deepEqual(toEthernet(LinkType.IPV4, IPV4_UDP).frame, v4.frame);
  assert.deepEqual(toEthernet(LinkType.IPV6, IPV6_EMPTY).frame, v6.frame);
  assert.throws(() => toEthernet(LinkType.RAW, bytes('20 00')), isCode(PcapErrorCode.BAD_FRAME));
  assert.throws(() => toEthernet(LinkType.RAW, new Uint8Array(0)), isCode(PcapErrorCode.BAD_FRAME));
  const src = bytes('02 11 22 33 44 55');
  const dst = bytes('02 66 77 88 99 aa');
  assert.deepEqual(toEthernet(LinkType.RAW, IPV4_UDP, { source: src, destination: dst }).frame, bytes(dst, src, '08 00', IPV4_UDP));
  assert.throws(() => toEthernet(LinkType.RAW, IPV4_UDP, { source: bytes('01') }), isCode(PcapErrorCode.BAD_ARGUMENT));
});

test('BSD loopback (NULL, either byte order) and OpenBSD LOOP', () => {
  assert.deepEqual(toEthernet(LinkType.NULL, bytes(le32(2), IPV4_UDP)).frame, bytes(ZERO_MACS, '08 00', IPV4_UDP));
  assert.deepEqual(toEthernet(LinkType.NULL, bytes(be32(30), IPV6_EMPTY)).frame, bytes(ZERO_MACS, '86 dd', IPV6_EMPTY));
  for (const af of [24, 28, 30]) assert.equal(toEthernet(LinkType.NULL, bytes(le32(af), IPV6_EMPTY)).etherType, 0x86dd);
  assert.deepEqual(toEthernet(LinkType.LOOP, bytes(be32(2), IPV4_UDP)).frame, bytes(ZERO_MACS, '08 00', IPV4_UDP));
  assert.throws(() => toEthernet(LinkType.NULL, bytes(le32(7), '00')), isCode(PcapErrorCode.UNSUPPORTED));
  assert.throws(() => toEthernet(LinkType.LOOP, bytes('00 00')), isCode(PcapErrorCode.BAD_FRAME));
});

/** A LINUX_SLL header: packet type, ARPHRD, address length, 8 address bytes, protocol. */
const sll = (pkttype: number, hatype: number, addr: number[], proto: number) =>
  bytes(be16(pkttype), be16(hatype), be16(addr.length), addr, zeros(8 - addr.length), be16(proto));
/** A LINUX_SLL2 header: protocol, reserved, ifindex, ARPHRD, packet type, address length, 8 address bytes. */
const sll2 = (proto: number, ifindex: number, hatype: number, pkttype: number, addr: number[]) =>
  bytes(be16(proto), '00 00', be32(ifindex), be16(hatype), [pkttype, addr.length], addr, zeros(8 - addr.length));

test('Linux cooked captures v1 and v2 become Ethernet frames', () => {
  const mac = [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee];
  const v1 = toEthernet(LinkType.LINUX_SLL, bytes(sll(4, 1, mac, 0x0800), IPV4_UDP), { originalLength: 16 + IPV4_UDP.length + 10 });
  assert.deepEqual(v1.frame, bytes(ZERO_MACS, '08 00', IPV4_UDP));
  assert.equal(v1.originalLength, 14 + IPV4_UDP.length + 10);
  assert.deepEqual(v1.cooked, { packetType: 4, arphrdType: 1, address: Uint8Array.from(mac), protocol: 0x0800 });
  const withMac = toEthernet(LinkType.LINUX_SLL, bytes(sll(0, 1, mac, 0x0806), ETH_ARP.subarray(14)), { useCapturedAddress: true });
  assert.deepEqual(withMac.frame, bytes(zeros(6), mac, '08 06', ETH_ARP.subarray(14)));

  const v2 = toEthernet(LinkType.LINUX_SLL2, bytes(sll2(0x86dd, 7, 772, 0, []), IPV6_EMPTY));
  assert.deepEqual(v2.frame, bytes(ZERO_MACS, '86 dd', IPV6_EMPTY));
  assert.equal(v2.cooked!.interfaceIndex, 7);
  assert.equal(v2.cooked!.arphrdType, 772);
  assert.equal(v2.cooked!.address.length, 0);

  // 802.2 LLC: the type field becomes the payload length.
  const llc = bytes('42 42 03', zeros(35));
  const e = toEthernet(LinkType.LINUX_SLL, bytes(sll(1, 1, mac, 0x0004), llc));
  assert.deepEqual(e.frame, bytes(ZERO_MACS, be16(llc.length), llc));
  assert.equal(e.protocol, '802.3');

  assert.throws(() => toEthernet(LinkType.LINUX_SLL, bytes(sll(0, 824, [], 0x0010), '00')), isCode(PcapErrorCode.UNSUPPORTED));
  assert.throws(() => toEthernet(LinkType.LINUX_SLL2, bytes(sll2(0x000c, 1, 280, 0, []), zeros(16))), isCode(PcapErrorCode.UNSUPPORTED));
  assert.throws(() => toEthernet(LinkType.LINUX_SLL, bytes(zeros(15))), isCode(PcapErrorCode.BAD_FRAME));
  assert.throws(() => toEthernet(LinkType.LINUX_SLL2, bytes(zeros(19))), isCode(PcapErrorCode.BAD_FRAME));
});

test('other link types are unsupported; names for ethertypes', () => {
  assert.throws(() => toEthernet(LinkType.IEEE802_11, bytes(zeros(30))), isCode(PcapErrorCode.UNSUPPORTED));
  assert.equal(etherTypeName(0x86dd), 'ipv6');
  assert.equal(etherTypeName(0x8100), 'vlan');
  assert.equal(etherTypeName(100), '802.3');
  assert.equal(etherTypeName(0x1234), '0x1234');
});

test('recordToEthernet uses the record link type and original length', () => {
  const file = writePcap([{ data: IPV4_UDP.subarray(0, 20), originalLength: IPV4_UDP.length }], { linkType: LinkType.RAW });
  const e = recordToEthernet(readCapture(file).records[0]!);
  assert.equal(e.frame.length, 34);
  assert.equal(e.originalLength, 14 + IPV4_UDP.length);
  assert.equal(recordToEthernet({ linkType: LinkType.ETHERNET, data: ETH_IPV4, originalLength: 60 }).originalLength, 60);
});
