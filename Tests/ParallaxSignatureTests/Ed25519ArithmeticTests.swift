import CParallaxCore
import CParallaxEd25519
import CSodium
import Testing

/// The hand-written arithmetic under the verifier, on edge values and random
/// ones: scalar reduction and products against libsodium, field products
/// against algebraic identities, and the IFMA exponentiation against the
/// portable one.
@Suite struct Ed25519ArithmeticTests {
    static let seed: UInt64 = 0xA817_0000_ED25_5190

    /// 64-byte inputs that stress the reduction: zero, all ones, L and its
    /// neighbours, multiples of L, values just below powers of two.
    static func wideEdgeValues(_ rng: inout SplitMix64) -> [[UInt8]] {
        var values: [[UInt8]] = [
            [UInt8](repeating: 0, count: 64),
            [UInt8](repeating: 0xff, count: 64),
            groupOrder + [UInt8](repeating: 0, count: 32),
            groupOrder + [UInt8](repeating: 0xff, count: 32),
        ]
        for bytes in [31, 32, 33, 47, 63] {
            values.append([UInt8](repeating: 0xff, count: bytes) + [UInt8](repeating: 0, count: 64 - bytes))
        }
        var lMinusOne = groupOrder
        lMinusOne[0] -= 1
        values.append(lMinusOne + [UInt8](repeating: 0, count: 32))
        for _ in 0..<500 { values.append(rng.bytes(64)) }
        for _ in 0..<100 {  // random high half, low half near L
            var v = groupOrder + rng.bytes(32)
            v[0] ^= UInt8(truncatingIfNeeded: rng.next() & 3)
            values.append(v)
        }
        return values
    }

    @Test func scalarReductionMatchesLibsodium() {
        var rng = SplitMix64(seed: Self.seed)
        for (i, value) in Self.wideEdgeValues(&rng).enumerated() {
            var ours = [UInt8](repeating: 0, count: 32), theirs = [UInt8](repeating: 0, count: 32)
            px_ed25519_probe_scalar_reduce(&ours, value)
            crypto_core_ed25519_scalar_reduce(&theirs, value)
            #expect(ours == theirs, "seed \(Self.seed) value \(i)")
        }
    }

    @Test func scalarProductMatchesLibsodium() {
        var rng = SplitMix64(seed: Self.seed ^ 1)
        let edges: [[UInt8]] = [
            [UInt8](repeating: 0, count: 32), [1] + [UInt8](repeating: 0, count: 31),
            { var l = groupOrder; l[0] -= 1; return l }(),
        ]
        var operands = edges
        for _ in 0..<200 { operands.append(SodiumTestHelpers.reduce64(rng.bytes(64))) }
        for (i, a) in operands.enumerated() {
            let b = operands[(i * 7 + 3) % operands.count]
            var ours = [UInt8](repeating: 0, count: 32), theirs = [UInt8](repeating: 0, count: 32)
            px_ed25519_probe_scalar_mul(&ours, a, b)
            crypto_core_ed25519_scalar_mul(&theirs, a, b)
            #expect(ours == theirs, "seed \(Self.seed) pair \(i)")
        }
        // 128-bit by 256-bit, as the batch multiplies z by h and S (S < 2^256 unreduced).
        for i in 0..<100 {
            let z = rng.bytes(16) + [UInt8](repeating: 0, count: 16)
            let s = rng.bytes(32)
            var ours = [UInt8](repeating: 0, count: 32), theirs = [UInt8](repeating: 0, count: 32)
            px_ed25519_probe_scalar_mul(&ours, z, s)
            var wide = [UInt8](repeating: 0, count: 64)
            // z s < 2^384: reduce the exact product through libsodium.
            for (j, zb) in z.enumerated() {
                var carry: UInt32 = 0
                for (k, sb) in s.enumerated() {
                    let t = UInt32(zb) * UInt32(sb) + UInt32(wide[j + k]) + carry
                    wide[j + k] = UInt8(t & 0xff)
                    carry = t >> 8
                }
                var k = j + 32
                while carry > 0 { let t = UInt32(wide[k]) + carry; wide[k] = UInt8(t & 0xff); carry = t >> 8; k += 1 }
            }
            crypto_core_ed25519_scalar_reduce(&theirs, wide)
            #expect(ours == theirs, "seed \(Self.seed) unreduced pair \(i)")
        }
    }

    /// p - k for small k, 2^255 - k (non-canonical), 0, 1, random values.
    static func fieldValues(_ rng: inout SplitMix64) -> [[UInt8]] {
        var values: [[UInt8]] = []
        for k in 0..<40 {
            var v = [UInt8](repeating: 0xff, count: 32)
            v[31] = 0x7f
            v[0] = UInt8(0xff - k)  // 2^255 - 1 - k: values both above and below p
            values.append(v)
            values.append([UInt8(k)] + [UInt8](repeating: 0, count: 31))
        }
        for _ in 0..<200 { values.append(rng.bytes(32)) }
        return values
    }

    static func mul(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        px_ed25519_probe_field_mul(&out, a, b)
        return out
    }

    @Test func fieldProductsObeyTheRingLaws() {
        var rng = SplitMix64(seed: Self.seed ^ 2)
        let values = Self.fieldValues(&rng)
        let one = [1] + [UInt8](repeating: 0, count: 31)
        for (i, a) in values.enumerated() {
            let b = values[(i * 5 + 1) % values.count], c = values[(i * 11 + 2) % values.count]
            #expect(Self.mul(Self.mul(a, b), c) == Self.mul(a, Self.mul(b, c)), "seed \(Self.seed) value \(i)")
            #expect(Self.mul(a, b) == Self.mul(b, a))
            // Canonical output: below p, and stable under multiplication by 1.
            let ab = Self.mul(a, b)
            #expect(Self.mul(ab, one) == ab)
            #expect(ab[31] < 0x80)
        }
        // 2^255 - 19 + k is k: the non-canonical encodings reduce.
        var p = [UInt8](repeating: 0xff, count: 32)
        p[31] = 0x7f
        p[0] = 0xed
        for k in 0..<19 {
            var v = p
            v[0] += UInt8(k)
            #expect(Self.mul(v, one) == [UInt8(k)] + [UInt8](repeating: 0, count: 31), "p + \(k)")
        }
    }

    @Test func vectorExponentiationsMatchPortable() {
        var rng = SplitMix64(seed: Self.seed ^ 3)
        let values = Self.fieldValues(&rng)
        // Counts around the group sizes (IFMA 16, AVX2 8) and the scalar
        // cut-offs (4 and 2).
        for count in [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, values.count] {
            let input = Array(values.prefix(count).joined())
            var best = [UInt8](repeating: 0, count: 32 * count), avx2 = best, portable = best
            #expect(px_ed25519_probe_field_pow_p58(&best, input, count, px_cpu_features()) == 0)
            #expect(px_ed25519_probe_field_pow_p58(&avx2, input, count, px_cpu_features() & px_cpu_avx2.rawValue) == 0)
            #expect(px_ed25519_probe_field_pow_p58(&portable, input, count, 0) == 0)
            #expect(best == portable, "seed \(Self.seed) count \(count)")
            #expect(avx2 == portable, "seed \(Self.seed) count \(count)")
        }
    }
}
