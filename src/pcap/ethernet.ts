/**
 * From a captured frame to what an XDP or tc program sees: an Ethernet frame.
 *
 * Conversions (every result starts with a 14-byte Ethernet header):
 *
 * - ETHERNET (1): the frame itself (a view, not a copy).
 * - RAW (101): raw IP; the version nibble of the first byte picks IPv4 (0x0800) or
 *   IPv6 (0x86DD). IPV4 (228) and IPV6 (229): raw IP of that version.
 * - NULL (0) and LOOP (108): the 4-byte address family (NULL: the capturing host's byte
 *   order, inferred from which half is zero; LOOP: network order) is dropped; family 2
 *   becomes IPv4, families 24, 28 and 30 (the BSDs' and Darwin's AF_INET6) and 10
 *   (Linux's) become IPv6; others are unsupported.
 * - LINUX_SLL (113, 16-byte header) and LINUX_SLL2 (276, 20-byte header): the cooked
 *   header is dropped and its protocol field becomes the ethertype. Protocols 0x0001
 *   (Novell raw 802.3) and 0x0004 (802.2 LLC) become an 802.3 header whose type field
 *   is the payload length. Cooked captures of netlink (ARPHRD 824), radiotap (803) or
 *   Frame Relay (770) devices, and the other small protocol values (CAN, ...), are
 *   unsupported. The packet type, ARPHRD type, sender address and (v2) interface index
 *   are reported in `cooked`.
 *
 * The synthesized header's MAC addresses are zero unless given; with
 * `useCapturedAddress`, a cooked capture's 6-byte sender address becomes the source MAC.
 * The result's `originalLength` is the record's, adjusted by the header size change.
 */
import { PcapError, PcapErrorCode } from './errors.js';
import { LinkType, linkTypeName } from './linktype.js';
import type { PacketRecord } from './record.js';

/** Ethertypes with names (IEEE registry values). */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  WAKE_ON_LAN: 0x0842,
  RARP: 0x8035,
  VLAN: 0x8100,
  IPX: 0x8137,
  IPV6: 0x86dd,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_DISCOVERY: 0x8863,
  PPPOE_SESSION: 0x8864,
  EAPOL: 0x888e,
  QINQ: 0x88a8,
  LLDP: 0x88cc,
  MACSEC: 0x88e5,
  PTP: 0x88f7,
  TRANSPARENT_ETHERNET_BRIDGING: 0x6558,
} as const;

const ETHERTYPE_NAMES = new Map<number, string>(Object.entries(EtherType).map(([k, v]) => [v, k.toLowerCase()]));

/** `ipv4`, `arp`, `vlan`, ...; `802.3` for a length field (below 0x0600); else `0x....`. */
export function etherTypeName(type: number): string {
  if (type < 0x0600) return '802.3';
  return ETHERTYPE_NAMES.get(type) ?? `0x${type.toString(16).padStart(4, '0')}`;
}

/** The cooked-capture pseudo-header fields (LINUX_SLL, LINUX_SLL2). */
export interface CookedHeader {
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  packetType: number;
  /** Linux ARPHRD_ device type (1 = Ethernet, 772 = loopback, 65534 = none/tun). */
  arphrdType: number;
  /** The sender's link-layer address (as many bytes as its length says, at most 8). */
  address: Uint8Array;
  /** The protocol field: an ethertype, or 1 / 4 for 802.3 frames. */
  protocol: number;
  /** The interface index (LINUX_SLL2 only). */
  interfaceIndex?: number;
}

export interface EthernetFrame {
  /** The frame, Ethernet header first. */
  frame: Uint8Array;
  /** The type/length field of the Ethernet header (outermost; VLAN tags are not skipped). */
  etherType: number;
  /** `etherTypeName(etherType)`. */
  protocol: string;
  /** The packet's length on the wire as an Ethernet frame, when the original length was known. */
  originalLength: number;
  /** False when the input already was an Ethernet frame (then `frame` is the same bytes). */
  converted: boolean;
  /** The cooked header, for LINUX_SLL and LINUX_SLL2 input. */
  cooked?: CookedHeader;
}

export interface ToEthernetOptions {
  /** Source MAC for a synthesized header (6 bytes; default zero). */
  source?: Uint8Array;
  /** Destination MAC for a synthesized header (6 bytes; default zero). */
  destination?: Uint8Array;
  /** Take the source MAC from a cooked capture's 6-byte sender address. */
  useCapturedAddress?: boolean;
  /** The original (wire) length of `data`; default `data.length`. */
  originalLength?: number;
}

const ARPHRD_FRAD = 770;
const ARPHRD_IEEE80211_RADIOTAP = 803;
const ARPHRD_NETLINK = 824;

function fail(code: typeof PcapErrorCode.BAD_FRAME | typeof PcapErrorCode.UNSUPPORTED, msg: string): never {
  throw new PcapError(code, msg);
}

function mac(name: string, m: Uint8Array | undefined): Uint8Array | undefined {
  if (m !== undefined && (!(m instanceof Uint8Array) || m.length !== 6)) {
    throw new PcapError(PcapErrorCode.BAD_ARGUMENT, `${name} MAC must be a Uint8Array of 6 bytes`);
  }
  return m;
}

function synthesize(
  payload: Uint8Array, etherType: number, opts: ToEthernetOptions, originalLength: number,
  headerLength: number, cooked?: CookedHeader,
): EthernetFrame {
  const frame = new Uint8Array(14 + payload.length);
  const dst = mac('destination', opts.destination);
  let src = mac('source', opts.source);
  if (!src && opts.useCapturedAddress && cooked && cooked.address.length === 6) src = cooked.address;
  if (dst) frame.set(dst, 0);
  if (src) frame.set(src, 6);
  frame[12] = etherType >>> 8;
  frame[13] = etherType & 0xff;
  frame.set(payload, 14);
  const out: EthernetFrame = {
    frame, etherType, protocol: etherTypeName(etherType),
    originalLength: Math.max(0, originalLength - headerLength) + 14, converted: true,
  };
  if (cooked) out.cooked = cooked;
  return out;
}

function ipEtherType(first: number | undefined, linkType: number): number {
  const version = first === undefined ? -1 : first >>> 4;
  if (version === 4) return EtherType.IPV4;
  if (version === 6) return EtherType.IPV6;
  return fail(PcapErrorCode.BAD_FRAME, `${linkTypeName(linkType)} frame is not IPv4 or IPv6 (version ${version})`);
}

function cookedToEthernet(
  payload: Uint8Array, cooked: CookedHeader, opts: ToEthernetOptions, originalLength: number, headerLength: number,
): EthernetFrame {
  const { arphrdType, protocol } = cooked;
  if (arphrdType === ARPHRD_NETLINK || arphrdType === ARPHRD_IEEE80211_RADIOTAP || arphrdType === ARPHRD_FRAD) {
    fail(PcapErrorCode.UNSUPPORTED, `cooked capture of ARPHRD type ${arphrdType} has no Ethernet equivalent`);
  }
  if (protocol >= 0x0600) return synthesize(payload, protocol, opts, originalLength, headerLength, cooked);
  if (protocol === 0x0001 || protocol === 0x0004) {
    if (payload.length > 1500) fail(PcapErrorCode.BAD_FRAME, `802.3 payload of ${payload.length} bytes exceeds 1500`);
    return synthesize(payload, payload.length, opts, originalLength, headerLength, cooked);
  }
  return fail(PcapErrorCode.UNSUPPORTED, `cooked capture protocol 0x${protocol.toString(16)} has no Ethernet equivalent`);
}

function u16be(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

/**
 * Converts one captured frame of the given link type to an Ethernet frame (see the
 * module comment for each conversion). Throws `EBEE_PCAP_BAD_FRAME` when the frame is too
 * short for its link-layer header, and `EBEE_PCAP_UNSUPPORTED` for other link types.
 */
export function toEthernet(linkType: number, data: Uint8Array, options: ToEthernetOptions = {}): EthernetFrame {
  const original = options.originalLength ?? data.length;
  const need = (n: number): void => {
    if (data.length < n) fail(PcapErrorCode.BAD_FRAME, `${linkTypeName(linkType)} frame of ${data.length} bytes is shorter than its ${n}-byte header`);
  };
  switch (linkType) {
    case LinkType.ETHERNET: {
      need(14);
      const etherType = u16be(data, 12);
      return { frame: data, etherType, protocol: etherTypeName(etherType), originalLength: original, converted: false };
    }
    case LinkType.RAW:
      return synthesize(data, ipEtherType(data[0], linkType), options, original, 0);
    case LinkType.IPV4:
      return synthesize(data, EtherType.IPV4, options, original, 0);
    case LinkType.IPV6:
      return synthesize(data, EtherType.IPV6, options, original, 0);
    case LinkType.NULL: case LinkType.LOOP: {
      need(4);
      const be = linkType === LinkType.LOOP || (data[0] === 0 && data[1] === 0);
      const family = be ? ((data[0]! << 24) | (data[1]! << 16) | u16be(data, 2)) >>> 0
        : (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
      let etherType: number;
      if (family === 2) etherType = EtherType.IPV4;
      else if (family === 10 || family === 24 || family === 28 || family === 30) etherType = EtherType.IPV6;
      else return fail(PcapErrorCode.UNSUPPORTED, `loopback address family ${family} is not IPv4 or IPv6`);
      return synthesize(data.subarray(4), etherType, options, original, 4);
    }
    case LinkType.LINUX_SLL: {
      need(16);
      const len = u16be(data, 4);
      const cooked: CookedHeader = {
        packetType: u16be(data, 0), arphrdType: u16be(data, 2),
        address: data.slice(6, 6 + Math.min(len, 8)), protocol: u16be(data, 14),
      };
      return cookedToEthernet(data.subarray(16), cooked, options, original, 16);
    }
    case LinkType.LINUX_SLL2: {
      need(20);
      const cooked: CookedHeader = {
        packetType: data[10]!, arphrdType: u16be(data, 8),
        address: data.slice(12, 12 + Math.min(data[11]!, 8)), protocol: u16be(data, 0),
        interfaceIndex: ((data[4]! << 24) | (data[5]! << 16) | u16be(data, 6)) >>> 0,
      };
      return cookedToEthernet(data.subarray(20), cooked, options, original, 20);
    }
    default:
      return fail(PcapErrorCode.UNSUPPORTED, `no Ethernet conversion for link type ${linkTypeName(linkType)}`);
  }
}

/** `toEthernet` for a record read from a file (its link type and original length). */
export function recordToEthernet(
  record: Pick<PacketRecord, 'linkType' | 'data' | 'originalLength'>, options: ToEthernetOptions = {},
): EthernetFrame {
  return toEthernet(record.linkType, record.data, { originalLength: record.originalLength, ...options });
}
