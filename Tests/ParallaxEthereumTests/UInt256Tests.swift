import ParallaxEthereum
import ParallaxTestSupport
import Testing

/// `UInt256`'s encodings and the EVM edge cases named by the Yellow Paper
/// and EIP-145, written out so that a reader sees each rule.
@Suite struct UInt256Tests {
    static let minSigned = UInt256(0, 0, 0, 1 << 63) // -2^255
    static let minusOne = UInt256.max

    @Test func bigEndianRoundTripsAndRightAligns() {
        var rng = SeededGenerator.fromEnvironment()
        for _ in 0..<1000 {
            let value = UInt256(rng.next(), rng.next(), rng.next(), rng.next())
            let bytes = value.bigEndianBytes
            #expect(bytes.count == 32)
            #expect(UInt256(bigEndianBytes: bytes) == value, "seed \(rng.seed)")
            let viaPointer = bytes.withUnsafeBytes { UInt256(bigEndian: $0) }
            #expect(viaPointer == value, "seed \(rng.seed)")
            // Any suffix is the value modulo 2^(8 * length).
            let length = Int(rng.next() % 33)
            let suffix = Array(bytes.suffix(length))
            let expected = length == 32 ? value : value & (UInt256.one.shiftedLeft(8 * length) &- .one)
            #expect(suffix.withUnsafeBytes { UInt256(bigEndian: $0) } == expected, "seed \(rng.seed)")
            #expect(UInt256(bigEndianBytes: suffix[...]) == expected, "seed \(rng.seed)")
            #expect(UInt256(bigEndianBytes: suffix.lazy.map { $0 }) == expected, "seed \(rng.seed)")
        }
        #expect(UInt256(bigEndianBytes: [0x01, 0x02]) == UInt256(0x0102))
        #expect(UInt256(bigEndianBytes: [UInt8]()) == .zero)
        #expect(UInt256(bigEndianBytes: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(UInt256(bigEndianBytes: [UInt8](repeating: 1, count: 33).lazy.map { $0 }) == nil)
        // Longer raw buffers read as a number modulo 2^256 (no trap).
        let long = [UInt8](repeating: 0xAB, count: 1) + [UInt8](repeating: 0, count: 31) + [0x05]
        #expect(long.withUnsafeBytes { UInt256(bigEndian: $0) } == UInt256(5))
        var stored = [UInt8](repeating: 0xEE, count: 34)
        stored.withUnsafeMutableBytes { UInt256(0x0102).storeBigEndian(to: $0.baseAddress! + 1) }
        #expect(stored[0] == 0xEE && stored[33] == 0xEE && stored[31] == 1 && stored[32] == 2)
        #expect(stored[1...30].allSatisfy { $0 == 0 })
        #expect(UInt256(0x0102).minimalBigEndianBytes == [1, 2])
        #expect(UInt256.zero.minimalBigEndianBytes == [])
    }

    @Test func hexParsesAndPrints() {
        #expect(UInt256.zero.description == "0x0")
        #expect(UInt256.one.description == "0x1")
        #expect(UInt256(0, 1, 0, 0).description == "0x10000000000000000")
        #expect(UInt256.max.description == "0x" + String(repeating: "f", count: 64))
        #expect(UInt256(hex: "0x0") == .zero)
        #expect(UInt256(hex: "0x") == .zero)
        #expect(UInt256(hex: "") == nil)
        #expect(UInt256(hex: "abc") == UInt256(0xABC))
        #expect(UInt256(hex: "0XaBc") == UInt256(0xABC))
        #expect(UInt256(hex: "0x" + String(repeating: "F", count: 64)) == .max)
        #expect(UInt256(hex: "0x" + String(repeating: "0", count: 10) + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256(hex: "0x1" + String(repeating: "0", count: 64)) == nil)
        #expect(UInt256(hex: "0xg") == nil)
        #expect(UInt256(hex: "0x 1") == nil)
        #expect(UInt256(hex: "-1") == nil)
        var rng = SeededGenerator.fromEnvironment()
        for _ in 0..<1000 {
            let value = UInt256(rng.next(), rng.next(), rng.next(), rng.next()).shiftedRight(Int(rng.next() % 256))
            #expect(UInt256(hex: value.description) == value, "seed \(rng.seed)")
            #expect(UInt256(decimal: value.decimalDescription) == value, "seed \(rng.seed)")
        }
    }

    @Test func decimalParsesAndPrints() {
        let maxDecimal = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        #expect(UInt256.max.decimalDescription == maxDecimal)
        #expect(UInt256(decimal: maxDecimal) == .max)
        #expect(UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936") == nil)
        #expect(UInt256(decimal: "0") == .zero)
        #expect(UInt256(decimal: "10000000000000000000") == UInt256(10_000_000_000_000_000_000))
        #expect(UInt256(decimal: "18446744073709551616") == UInt256(0, 1, 0, 0))
        #expect(UInt256(decimal: "") == nil)
        #expect(UInt256(decimal: "12a") == nil)
        #expect(UInt256(decimal: "+1") == nil)
        #expect(UInt256.zero.decimalDescription == "0")
        #expect(UInt256(0, 1, 0, 0).decimalDescription == "18446744073709551616")
    }

    @Test func widthsAndConversions() {
        #expect(UInt256.zero.significantBits == 0 && UInt256.zero.significantBytes == 0)
        #expect(UInt256.zero.leadingZeroBitCount == 256)
        #expect(UInt256.one.significantBits == 1 && UInt256.one.significantBytes == 1)
        #expect(UInt256(256).significantBytes == 2)
        #expect(UInt256.max.significantBits == 256 && UInt256.max.leadingZeroBitCount == 0)
        #expect(UInt256(0, 0, 1, 0).significantBits == 129)
        #expect(UInt256(UInt64.max).uint64IfFits == .max)
        #expect(UInt256(0, 1, 0, 0).uint64IfFits == nil)
        #expect(UInt256(7, 1, 0, 0).low64 == 7)
        #expect(UInt256(UInt128.max) == UInt256(.max, .max, 0, 0))
        #expect(UInt256.zero.isZero && !UInt256(0, 0, 0, 1).isZero)
        let values: Set<UInt256> = [.zero, .one, .max, UInt256(0, 0, 0, 1), .one]
        #expect(values.count == 4)
        #expect([UInt256.max, .one, UInt256(0, 1, 0, 0), .zero].sorted() == [.zero, .one, UInt256(0, 1, 0, 0), .max])
    }

    @Test func signedDivisionEdgeCases() {
        // SDIV(-2^255, -1) = -2^255: the one quotient that does not fit.
        #expect(Self.minSigned.evmSDiv(Self.minusOne) == Self.minSigned)
        #expect(Self.minSigned.evmSMod(Self.minusOne) == .zero)
        // Truncation toward zero; SMOD takes the dividend's sign.
        let minusSeven = UInt256(7).negated, minusTwo = UInt256(2).negated
        #expect(minusSeven.evmSDiv(UInt256(2)) == UInt256(3).negated)
        #expect(UInt256(7).evmSDiv(minusTwo) == UInt256(3).negated)
        #expect(minusSeven.evmSDiv(minusTwo) == UInt256(3))
        #expect(minusSeven.evmSMod(UInt256(2)) == Self.minusOne)
        #expect(UInt256(7).evmSMod(minusTwo) == UInt256(1))
        #expect(minusSeven.evmSMod(minusTwo) == Self.minusOne)
        // Division by zero is 0 for all four.
        for value in [UInt256.zero, .one, .max, Self.minSigned] {
            #expect(value.evmDiv(.zero) == .zero && value.evmMod(.zero) == .zero)
            #expect(value.evmSDiv(.zero) == .zero && value.evmSMod(.zero) == .zero)
            #expect(value.quotientAndRemainder(dividingBy: .zero) == (.zero, .zero))
        }
    }

    @Test func modularAndExponentEdgeCases() {
        #expect(UInt256.zero.evmExp(.zero) == .one)
        #expect(UInt256.max.evmExp(.zero) == .one)
        #expect(UInt256.zero.evmExp(.max) == .zero)
        #expect(UInt256(2).evmExp(UInt256(255)) == Self.minSigned)
        #expect(UInt256(2).evmExp(UInt256(256)) == .zero)
        #expect(Self.minusOne.evmExp(.max) == Self.minusOne)
        #expect(Self.minusOne.evmExp(UInt256(2)) == .one)
        #expect(UInt256(3).evmExp(UInt256(5)) == UInt256(243))
        #expect(UInt256(5).evmAddMod(UInt256(6), .zero) == .zero)
        #expect(UInt256(5).evmMulMod(UInt256(6), .zero) == .zero)
        // The 257-bit sum and the 512-bit product are reduced exactly.
        #expect(UInt256.max.evmAddMod(.max, UInt256(7)) == UInt256(2)) // (2^257 - 2) mod 7 = 2
        #expect(UInt256.max.evmAddMod(UInt256(2), UInt256.max) == UInt256(2))
        #expect(UInt256.max.evmMulMod(.max, UInt256(12)) == UInt256(9)) // (2^256 - 1)^2 mod 12 = 9
        #expect(UInt256.max.evmMulMod(.max, .max) == .zero)
    }

    @Test func bitOpcodesSaturate() {
        let x = UInt256(hex: "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")!
        #expect(x.evmByte(index: .zero) == UInt256(1))
        #expect(x.evmByte(index: UInt256(31)) == UInt256(0x20))
        #expect(x.evmByte(index: UInt256(32)) == .zero)
        #expect(x.evmByte(index: UInt256(0, 0, 0, 1)) == .zero)
        // SIGNEXTEND: index >= 31 leaves the word as it is.
        let negativeByte = UInt256(0x80)
        #expect(negativeByte.evmSignExtend(byteIndex: .zero) == UInt256(0x80).negated)
        #expect(UInt256(0x7F).evmSignExtend(byteIndex: .zero) == UInt256(0x7F))
        #expect(UInt256(0xFF7F).evmSignExtend(byteIndex: .zero) == UInt256(0x7F))
        #expect(x.evmSignExtend(byteIndex: UInt256(31)) == x)
        #expect(Self.minSigned.evmSignExtend(byteIndex: UInt256(31)) == Self.minSigned)
        #expect(x.evmSignExtend(byteIndex: .max) == x)
        // Shifts of 256 or more.
        for shift in [UInt256(256), UInt256(257), UInt256(0, 1, 0, 0), .max] {
            #expect(x.evmShl(by: shift) == .zero && x.evmShr(by: shift) == .zero)
            #expect(x.evmSar(by: shift) == .zero)
            #expect(Self.minSigned.evmSar(by: shift) == Self.minusOne)
        }
        #expect(Self.minSigned.evmSar(by: UInt256(255)) == Self.minusOne)
        #expect(Self.minSigned.evmShr(by: UInt256(255)) == .one)
        #expect(UInt256.one.evmShl(by: UInt256(255)) == Self.minSigned)
        #expect(x.evmShl(by: .zero) == x && x.evmSar(by: .zero) == x)
        // Signed comparison.
        #expect(Self.minusOne.signedLessThan(.zero))
        #expect(!UInt256.zero.signedLessThan(Self.minusOne))
        #expect(Self.minSigned.signedLessThan(Self.minusOne))
        #expect(!(Self.minusOne < .zero))
        #expect(Self.minSigned.isNegative && !UInt256(UInt64.max).isNegative)
        #expect(Self.minSigned.negated == Self.minSigned && UInt256.zero.negated == .zero)
    }
}
