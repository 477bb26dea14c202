import CParallaxCore

/// Division and modular reduction on `UInt256`.
///
/// The kernels are Knuth's algorithm D (TAOCP vol. 2, 4.3.1) with
/// Moeller-Granlund reciprocal steps, in C (`CSupport/include/px_uint256.h`,
/// which says why: Swift's 128/64 division is a compiler-rt call). They reduce 256-, 257- (ADDMOD's sum) and 512-bit (MULMOD's
/// product) dividends exactly, without reducing the operands first. The
/// inlinable front ends here take the fast paths that need no division
/// loop: divisor 0 (EVM: result 0), dividend < divisor, and both operands
/// within 64 bits.
extension UInt256 {
    /// (self / divisor, self % divisor); divisor 0 gives (0, 0) as in the EVM.
    @inlinable
    public func quotientAndRemainder(dividingBy divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        if (l1 | l2 | l3 | divisor.l1 | divisor.l2 | divisor.l3) == 0 {
            if divisor.l0 == 0 { return (UInt256(0), UInt256(0)) }
            return (UInt256(l0 / divisor.l0), UInt256(l0 % divisor.l0))
        }
        if divisor.isZero { return (UInt256(0), UInt256(0)) }
        if self < divisor { return (UInt256(0), self) }
        return _divide(by: divisor)
    }

    /// Algorithm D for self >= divisor > 0.
    @usableFromInline
    internal func _divide(by divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        var remainder = px_u256(l0: 0, l1: 0, l2: 0, l3: 0)
        let quotient = px_u256_divrem(_c, divisor._c, &remainder)
        return (UInt256(quotient), UInt256(remainder))
    }

    @inline(__always)
    internal var _c: px_u256 { px_u256(l0: l0, l1: l1, l2: l2, l3: l3) }

    @inline(__always)
    internal init(_ c: px_u256) { self.init(c.l0, c.l1, c.l2, c.l3) }

    /// (self + addend) mod modulus over the exact 257-bit sum; modulus 0 gives 0.
    public func addingModulo(_ addend: UInt256, _ modulus: UInt256) -> UInt256 {
        if modulus.isZero { return UInt256(0) }
        let (sum, carry) = addingReportingOverflow(addend)
        if !carry && sum < modulus { return sum }
        return UInt256(px_u256_addmod(_c, addend._c, modulus._c))
    }

    /// (self * factor) mod modulus over the exact 512-bit product; modulus 0 gives 0.
    public func multipliedModulo(_ factor: UInt256, _ modulus: UInt256) -> UInt256 {
        if modulus.isZero { return UInt256(0) }
        if (l1 | l2 | l3 | factor.l1 | factor.l2 | factor.l3 | modulus.l1 | modulus.l2 | modulus.l3) == 0 {
            let (high, low) = l0.multipliedFullWidth(by: factor.l0)
            var remainder: UInt64 = 0
            _ = px_u256_div128(high % modulus.l0, low, modulus.l0, &remainder)
            return UInt256(remainder)
        }
        return UInt256(px_u256_mulmod(_c, factor._c, modulus._c))
    }

    // MARK: Decimal text

    /// Decimal digits only (no sign, no separators); nil when empty, on a
    /// non-digit, or when the value exceeds 2^256 - 1.
    public init?(decimal: String) {
        guard !decimal.isEmpty else { return nil }
        var value = UInt256.zero
        for char in decimal.utf8 {
            guard char >= UInt8(ascii: "0") && char <= UInt8(ascii: "9") else { return nil }
            let (next, spill) = value._multipliedAdding(10, UInt64(char - UInt8(ascii: "0")))
            guard spill == 0 else { return nil }
            value = next
        }
        self = value
    }

    /// The value in decimal, without separators.
    public var decimalDescription: String {
        if isZero { return "0" }
        // Peel 19 digits at a time (10^19 is the largest power of 10 in a limb).
        let chunk: UInt64 = 10_000_000_000_000_000_000
        var chunks: [UInt64] = []
        var rest = self
        while !rest.isZero {
            let (q, r) = rest.quotientAndRemainder(dividingBy: UInt256(chunk))
            chunks.append(r.l0)
            rest = q
        }
        var text = String(chunks.removeLast())
        for part in chunks.reversed() {
            let digits = String(part)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }
}
