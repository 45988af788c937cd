/**
 * Link-layer header types (the LINKTYPE_ values stored in pcap and pcapng files), from
 * tcpdump.org's "Link-Layer Header Types" list (draft-ietf-opsawg-pcaplinktype). The
 * table holds the types one meets in practice; any 16-bit value is accepted by the
 * readers and writers, and `linkTypeName` falls back to `LINKTYPE_<n>`.
 */
export const LinkType = {
  /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
  NULL: 0,
  /** IEEE 802.3 Ethernet. */
  ETHERNET: 1,
  AX25: 3,
  IEEE802_5: 6,
  ARCNET_BSD: 7,
  SLIP: 8,
  PPP: 9,
  FDDI: 10,
  PPP_HDLC: 50,
  PPP_ETHER: 51,
  ATM_RFC1483: 100,
  /** Raw IP: an IPv4 or IPv6 header, told apart by the version field. */
  RAW: 101,
  C_HDLC: 104,
  IEEE802_11: 105,
  FRELAY: 107,
  /** OpenBSD loopback: a 4-byte address family in network byte order. */
  LOOP: 108,
  /** Linux "cooked" capture, v1: a 16-byte pseudo-header. */
  LINUX_SLL: 113,
  LTALK: 114,
  PFLOG: 117,
  IEEE802_11_PRISM: 119,
  IP_OVER_FC: 122,
  SUNATM: 123,
  IEEE802_11_RADIOTAP: 127,
  ARCNET_LINUX: 129,
  APPLE_IP_OVER_IEEE1394: 138,
  MTP2_WITH_PHDR: 139,
  MTP2: 140,
  MTP3: 141,
  SCCP: 142,
  DOCSIS: 143,
  LINUX_IRDA: 144,
  IEEE802_11_AVS: 163,
  BACNET_MS_TP: 165,
  PPP_PPPD: 166,
  GPRS_LLC: 169,
  LINUX_LAPD: 177,
  BLUETOOTH_HCI_H4: 187,
  USB_LINUX: 189,
  PPI: 192,
  IEEE802_15_4_WITHFCS: 195,
  ERF: 197,
  BLUETOOTH_HCI_H4_WITH_PHDR: 201,
  PPP_WITH_DIR: 204,
  USB_LINUX_MMAPPED: 220,
  IPNET: 226,
  CAN_SOCKETCAN: 227,
  /** Raw IPv4. */
  IPV4: 228,
  /** Raw IPv6. */
  IPV6: 229,
  IEEE802_15_4_NOFCS: 230,
  DBUS: 231,
  NFLOG: 239,
  NETANALYZER: 240,
  IPOIB: 242,
  MPEG_2_TS: 243,
  SCTP: 248,
  USBPCAP: 249,
  BLUETOOTH_LE_LL: 251,
  NETLINK: 253,
  BLUETOOTH_LINUX_MONITOR: 254,
  BLUETOOTH_LE_LL_WITH_PHDR: 256,
  PKTAP: 258,
  USB_DARWIN: 266,
  VSOCK: 271,
  ETHERNET_MPACKET: 274,
  /** Linux "cooked" capture, v2: a 20-byte pseudo-header with the interface index. */
  LINUX_SLL2: 276,
} as const;
export type LinkTypeName = keyof typeof LinkType;

const NAMES = new Map<number, string>(Object.entries(LinkType).map(([name, value]) => [value, name]));

/** `ETHERNET`, `LINUX_SLL2`, ... or `LINKTYPE_<n>` for a value not in the table. */
export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `LINKTYPE_${linkType}`;
}

/** The value for a table name (case-insensitive, with or without `LINKTYPE_`), or undefined. */
export function linkTypeFromName(name: string): number | undefined {
  const key = name.toUpperCase().replace(/^LINKTYPE_/, '');
  return Object.prototype.hasOwnProperty.call(LinkType, key) ? LinkType[key as LinkTypeName] : undefined;
}
