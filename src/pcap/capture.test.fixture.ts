/**
 * Byte builders and sample frames for the pcap tests. Files in tests are written out
 * field by field from the format descriptions, never produced by the code under test.
 */

/** Concatenates hex strings ("d4 c3 b2 a1") and byte arrays into one Uint8Array. */
export function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') {
      for (const h of p.split(/\s+/).filter((s) => s.length > 0)) {
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error(`bad hex byte ${h}`);
        out.push(parseInt(h, 16));
      }
    } else out.push(...p);
  }
  return Uint8Array.from(out);
}

export const le16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
export const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
export const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
export const be32 = (v: number): number[] => le32(v).reverse();
export const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** A minimal IPv4/UDP packet (20 + 8 + 4 bytes), checksum fields zero. */
export const IPV4_UDP = bytes(
  '45 00 00 20 00 01 00 00 40 11 00 00', // version/IHL, TOS, total length 32, id, frag, TTL 64, UDP, checksum
  '0a 00 00 01 0a 00 00 02', // 10.0.0.1 -> 10.0.0.2
  '30 39 00 35 00 0c 00 00', // UDP 12345 -> 53, length 12
  'de ad be ef',
);

/** A minimal IPv6 packet: header (40 bytes) with no payload, next header 59 (none). */
export const IPV6_EMPTY = bytes('60 00 00 00 00 00 3b 40', zeros(15), '01', zeros(15), '02');

/** An Ethernet frame carrying IPV4_UDP. */
export const ETH_IPV4 = bytes('02 00 00 00 00 02 02 00 00 00 00 01 08 00', IPV4_UDP);

/** An Ethernet ARP request (42 bytes). */
export const ETH_ARP = bytes(
  'ff ff ff ff ff ff 02 00 00 00 00 01 08 06',
  '00 01 08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00 00 02',
);

/** Frames for round trips and fuzzing: various sizes, including empty and odd lengths. */
export function sampleFrames(): Uint8Array[] {
  const big = new Uint8Array(1514);
  big.set(ETH_IPV4);
  for (let i = ETH_IPV4.length; i < big.length; i++) big[i] = i & 0xff;
  return [ETH_IPV4, ETH_ARP, new Uint8Array(0), bytes('01 02 03'), big];
}

/** Deterministic pseudo-random numbers (xorshift32), so failures can be reproduced. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}
