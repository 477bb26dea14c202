/// The EVM's arithmetic, comparison and bit opcodes on `UInt256`, with the
/// exact semantics of the Yellow Paper (appendix H) and EIP-145 for the
/// shifts: division by zero gives 0, signed operations read two's
/// complement, SDIV(-2^255, -1) wraps to -2^255, SMOD takes the dividend's
/// sign, out-of-range byte indices and shift counts saturate instead of
/// trapping. Receiver and argument order: `a.evmDiv(b)` is DIV(a, b) with `a`
/// the top of the stack; `x.evmSignExtend(byteIndex: b)` is SIGNEXTEND(b, x),
/// `x.evmByte(index: i)` is BYTE(i, x), `x.evmShl(by: s)` is SHL(s, x).
extension UInt256 {
    /// self < limit for a small limit: the opcodes' range checks on counts
    /// and indices (one test of the high limbs, one compare).
    @inlinable @inline(__always)
    internal func _isBelow(_ limit: UInt64) -> Bool {
        (l1 | l2 | l3) == 0 && l0 < limit
    }

    /// DIV: self / divisor, 0 when divisor is 0.
    @inlinable
    public func evmDiv(_ divisor: UInt256) -> UInt256 {
        if (divisor.l1 | divisor.l2 | divisor.l3 | l1 | l2 | l3) == 0 {
            return divisor.l0 == 0 ? .zero : UInt256(l0 / divisor.l0)
        }
        return quotientAndRemainder(dividingBy: divisor).quotient
    }

    /// MOD: self % divisor, 0 when divisor is 0.
    @inlinable
    public func evmMod(_ divisor: UInt256) -> UInt256 {
        if (divisor.l1 | divisor.l2 | divisor.l3 | l1 | l2 | l3) == 0 {
            return divisor.l0 == 0 ? .zero : UInt256(l0 % divisor.l0)
        }
        return quotientAndRemainder(dividingBy: divisor).remainder
    }

    /// SDIV: signed quotient truncated toward zero; 0 when divisor is 0;
    /// -2^255 / -1 = -2^255 (the magnitude 2^255 wraps back to itself).
    public func evmSDiv(_ divisor: UInt256) -> UInt256 {
        if divisor.isZero { return .zero }
        let aNegative = isNegative, bNegative = divisor.isNegative
        let magnitude = (aNegative ? negated : self).quotientAndRemainder(
            dividingBy: bNegative ? divisor.negated : divisor).quotient
        return aNegative != bNegative ? magnitude.negated : magnitude
    }

    /// SMOD: |self| mod |divisor| with the sign of self; 0 when divisor is 0.
    public func evmSMod(_ divisor: UInt256) -> UInt256 {
        if divisor.isZero { return .zero }
        let aNegative = isNegative
        let magnitude = (aNegative ? negated : self).quotientAndRemainder(
            dividingBy: divisor.isNegative ? divisor.negated : divisor).remainder
        return aNegative ? magnitude.negated : magnitude
    }

    /// ADDMOD(self, addend, modulus): exact (257-bit) sum; 0 when modulus is 0.
    @inlinable
    public func evmAddMod(_ addend: UInt256, _ modulus: UInt256) -> UInt256 {
        addingModulo(addend, modulus)
    }

    /// MULMOD(self, factor, modulus): exact (512-bit) product; 0 when modulus is 0.
    @inlinable
    public func evmMulMod(_ factor: UInt256, _ modulus: UInt256) -> UInt256 {
        multipliedModulo(factor, modulus)
    }

    /// EXP: self ** exponent mod 2^256, with 0 ** 0 = 1.
    ///
    /// Left-to-right square-and-multiply over the exponent's significant
    /// bits, squaring with `squaredWrapping`. Powers of two (0 and 1
    /// included: 2^k ** e is a shift by k * e) skip the loop.
    public func evmExp(_ exponent: UInt256) -> UInt256 {
        if exponent.isZero { return .one }
        if isZero { return .zero }
        if (self & (self &- .one)).isZero {
            // self = 2^k: the result is 2^(k * e), zero once k * e >= 256.
            let k = 255 - leadingZeroBitCount
            guard exponent._isBelow(256) else { return k == 0 ? .one : .zero }
            let shift = k * Int(exponent.l0)
            return shift < 256 ? UInt256.one.shiftedLeft(shift) : .zero
        }
        var result = self
        var bit = exponent.significantBits - 2
        while bit >= 0 {
            result = result.squaredWrapping
            if exponent.bit(bit) { result = result &* self }
            bit -= 1
        }
        return result
    }

    /// SIGNEXTEND(byteIndex, self): extends the sign of byte `byteIndex`
    /// (0 = least significant) over the higher bytes; index >= 31 leaves self.
    @inlinable
    public func evmSignExtend(byteIndex: UInt256) -> UInt256 {
        guard byteIndex._isBelow(31) else { return self }
        let signBit = Int(byteIndex.l0) * 8 + 7
        let lowMask = UInt256.max.shiftedRight(255 - signBit) // bits 0...signBit
        return bit(signBit) ? self | ~lowMask : self & lowMask
    }

    /// BYTE(index, self): byte `index` counted from the most significant
    /// (0 = top byte); index >= 32 gives 0.
    @inlinable
    public func evmByte(index: UInt256) -> UInt256 {
        guard index._isBelow(32) else { return .zero }
        let fromLow = 31 - Int(index.l0)
        let limb: UInt64
        switch fromLow >> 3 {
        case 0: limb = l0
        case 1: limb = l1
        case 2: limb = l2
        default: limb = l3
        }
        return UInt256((limb >> UInt64((fromLow & 7) * 8)) & 0xFF)
    }

    /// SHL(shift, self): self << shift; shift >= 256 gives 0.
    @inlinable @inline(__always)
    public func evmShl(by shift: UInt256) -> UInt256 {
        guard shift._isBelow(256) else { return .zero }
        return shiftedLeft(Int(shift.l0))
    }

    /// SHR(shift, self): logical self >> shift; shift >= 256 gives 0.
    @inlinable @inline(__always)
    public func evmShr(by shift: UInt256) -> UInt256 {
        guard shift._isBelow(256) else { return .zero }
        return shiftedRight(Int(shift.l0))
    }

    /// SAR(shift, self): arithmetic self >> shift; shift >= 256 gives 0 or
    /// all ones (-1) by the sign.
    @inlinable @inline(__always)
    public func evmSar(by shift: UInt256) -> UInt256 {
        let negative = isNegative
        guard shift._isBelow(256) else { return negative ? .max : .zero }
        let count = Int(shift.l0)
        let logical = shiftedRight(count)
        guard negative, count != 0 else { return logical }
        return logical | UInt256.max.shiftedLeft(256 - count)
    }
}
