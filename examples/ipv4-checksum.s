# The Internet checksum (RFC 1071) of an IPv4 header given as memory:
# r1 = pointer to the header, r2 = its length in bytes.
# Run: npx ebee run examples/ipv4-checksum.s --mem-file examples/ipv4-header.bin
# The header's checksum field is already filled in, so a valid header sums to 0.
        r0 = 0
        r3 = r1
        r3 += r2                 # end of the header
next:
        r4 = r1
        r4 += 2
        if r4 > r3 goto fold     # fewer than two bytes left
        r5 = *(u16 *)(r1 + 0)
        r5 = be16 r5             # network byte order
        r0 += r5
        r1 += 2
        goto next
fold:
        r4 = r0
        r4 >>= 16
        if r4 == 0 goto done
        r0 &= 0xffff
        r0 += r4
        goto fold
done:
        r0 ^= 0xffff             # one's complement
        exit
