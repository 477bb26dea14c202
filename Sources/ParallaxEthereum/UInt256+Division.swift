/// Division and modular reduction on `UInt256`.
///
/// Algorithm D of Knuth, TAOCP vol. 2, 4.3.1 (with the 2-limb quotient-digit
/// refinement of Hacker's Delight's `divmnu64`), on 64-bit limbs: normalize
/// so the divisor's top limb has its high bit set, estimate each quotient
/// limb from the top two remainder limbs with one 128/64 hardware division,
/// refine it against the next divisor limb (after which it is at most one too
/// large), multiply-subtract, and add back in the rare case it was.
///
/// The same kernel reduces 256-, 320- (ADDMOD's 257-bit sum) and 512-bit
/// (MULMOD's product) dividends, so the modular ops are exact without
/// reducing their operands first. Fast paths: divisor 0 (EVM: result 0),
/// dividend < divisor, divisor of one limb (a chain of 128/64 divisions),
/// dividend and divisor within 128 bits (native `UInt128`).
///
/// Invariants of the kernel: `n >= 2`, `m >= n`, `v[n-1] != 0`; the
/// dividend's scratch copy has `m + 1` limbs (normalization's spill limb).
extension UInt256 {
    /// (self / divisor, self % divisor); divisor 0 gives (0, 0) as in the EVM.
    @inlinable
    public func quotientAndRemainder(dividingBy divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        if divisor.isZero { return (.zero, .zero) }
        if self < divisor { return (.zero, self) }
        if (divisor.l1 | divisor.l2 | divisor.l3) == 0 {
            return _quotientAndRemainder(dividingByLimb: divisor.l0)
        }
        if (l2 | l3) == 0 {
            let a = UInt128(l1) << 64 | UInt128(l0)
            let b = UInt128(divisor.l1) << 64 | UInt128(divisor.l0)
            return (UInt256(a / b), UInt256(a % b))
        }
        return _knuthQuotientAndRemainder(dividingBy: divisor)
    }

    /// Long division by one nonzero limb: four 128/64 divisions.
    @inlinable
    internal func _quotientAndRemainder(dividingByLimb d: UInt64) -> (quotient: UInt256, remainder: UInt256) {
        var r: UInt64 = 0
        var q3: UInt64 = 0, q2: UInt64 = 0, q1: UInt64 = 0, q0: UInt64
        if l3 != 0 || r != 0 { (q3, r) = d.dividingFullWidth((r, l3)) }
        if l2 != 0 || r != 0 { (q2, r) = d.dividingFullWidth((r, l2)) }
        if l1 != 0 || r != 0 { (q1, r) = d.dividingFullWidth((r, l1)) }
        (q0, r) = d.dividingFullWidth((r, l0))
        return (UInt256(q0, q1, q2, q3), UInt256(r))
    }

    @usableFromInline
    internal func _knuthQuotientAndRemainder(dividingBy divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        var u = (l0, l1, l2, l3, UInt64(0))
        var v = (divisor.l0, divisor.l1, divisor.l2, divisor.l3)
        var q: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let m = (significantBits + 63) >> 6
        let n = (divisor.significantBits + 63) >> 6
        let remainder = withUnsafeMutableBytes(of: &u) { uRaw in
            withUnsafeMutableBytes(of: &v) { vRaw in
                withUnsafeMutableBytes(of: &q) { qRaw in
                    UInt256._knuthDivide(
                        u: uRaw.baseAddress!.assumingMemoryBound(to: UInt64.self), m: m,
                        v: vRaw.baseAddress!.assumingMemoryBound(to: UInt64.self), n: n,
                        q: qRaw.baseAddress!.assumingMemoryBound(to: UInt64.self))
                }
            }
        }
        return (UInt256(q.0, q.1, q.2, q.3), remainder)
    }

    /// Algorithm D on `u[0..<m]` by `v[0..<n]` (see the file header): writes
    /// the quotient's `m - n + 1` limbs to `q` when given, clobbers `u` (which
    /// must have room for `m + 1` limbs) and `v`, returns the remainder.
    @usableFromInline
    internal static func _knuthDivide(
        u: UnsafeMutablePointer<UInt64>, m: Int,
        v: UnsafeMutablePointer<UInt64>, n: Int,
        q: UnsafeMutablePointer<UInt64>?
    ) -> UInt256 {
        // D1: normalize so that v[n-1] has its top bit set.
        let s = v[n - 1].leadingZeroBitCount
        if s != 0 {
            let back = UInt64(64 - s), shift = UInt64(s)
            var i = n - 1
            while i > 0 {
                v[i] = (v[i] << shift) | (v[i - 1] >> back)
                i -= 1
            }
            v[0] <<= shift
            u[m] = u[m - 1] >> back
            i = m - 1
            while i > 0 {
                u[i] = (u[i] << shift) | (u[i - 1] >> back)
                i -= 1
            }
            u[0] <<= shift
        } else {
            u[m] = 0
        }
        let vTop = v[n - 1], vNext = v[n - 2]
        var j = m - n
        while j >= 0 {
            // D3: estimate q̂ from the top two limbs; refine against vNext.
            let uTop = u[j + n], uNext = u[j + n - 1]
            var qhat: UInt64, rhat: UInt64
            var rhatOverflow = false
            if uTop >= vTop {
                // uTop == vTop (the running remainder is below v): q̂ = b - 1.
                qhat = .max
                (rhat, rhatOverflow) = uNext.addingReportingOverflow(vTop)
            } else {
                (qhat, rhat) = vTop.dividingFullWidth((uTop, uNext))
            }
            while !rhatOverflow {
                let (ph, pl) = qhat.multipliedFullWidth(by: vNext)
                // q̂ * vNext > rhat * b + u[j+n-2] means q̂ is too large.
                if ph < rhat || (ph == rhat && pl <= u[j + n - 2]) { break }
                qhat -= 1
                (rhat, rhatOverflow) = rhat.addingReportingOverflow(vTop)
            }
            // D4: multiply and subtract q̂ * v from u[j...j+n].
            var mulCarry: UInt64 = 0
            var borrow = false
            for i in 0..<n {
                let (ph, pl) = _mac(qhat, v[i], mulCarry, 0)
                mulCarry = ph
                (u[i + j], borrow) = _sbb(u[i + j], pl, borrow)
            }
            (u[j + n], borrow) = _sbb(u[j + n], mulCarry, borrow)
            // D5/D6: q̂ was one too large (probability ~2/b): add v back.
            if borrow {
                qhat -= 1
                var carry = false
                for i in 0..<n {
                    (u[i + j], carry) = _adc(u[i + j], v[i], carry)
                }
                u[j + n] &+= carry ? 1 : 0
            }
            q?[j] = qhat
            j -= 1
        }
        // D8: unnormalize the remainder u[0..<n].
        var r: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &r) { raw in
            let out = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
            if s == 0 {
                for i in 0..<n { out[i] = u[i] }
            } else {
                let back = UInt64(64 - s), shift = UInt64(s)
                for i in 0..<n { out[i] = (u[i] >> shift) | (u[i + 1] << back) }
            }
        }
        return UInt256(r.0, r.1, r.2, r.3)
    }

    /// The remainder of the `limbCount`-limb number at `u` (room for one more
    /// limb, clobbered) by a nonzero `divisor`.
    @usableFromInline
    internal static func _remainder(
        limbs u: UnsafeMutablePointer<UInt64>, limbCount: Int, dividingBy divisor: UInt256
    ) -> UInt256 {
        var m = limbCount
        while m > 0 && u[m - 1] == 0 { m -= 1 }
        let n = (divisor.significantBits + 63) >> 6
        if m < n { // dividend < divisor
            var r: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &r) { raw in
                let out = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
                for i in 0..<m { out[i] = u[i] }
            }
            return UInt256(r.0, r.1, r.2, r.3)
        }
        if n == 1 {
            let d = divisor.l0
            var r: UInt64 = 0
            var i = m - 1
            while i >= 0 {
                r = d.dividingFullWidth((r, u[i])).remainder
                i -= 1
            }
            return UInt256(r)
        }
        var v = (divisor.l0, divisor.l1, divisor.l2, divisor.l3)
        return withUnsafeMutableBytes(of: &v) { vRaw in
            _knuthDivide(u: u, m: m, v: vRaw.baseAddress!.assumingMemoryBound(to: UInt64.self), n: n, q: nil)
        }
    }

    /// (self + addend) mod modulus over the exact 257-bit sum; modulus 0 gives 0.
    public func addingModulo(_ addend: UInt256, _ modulus: UInt256) -> UInt256 {
        if modulus.isZero { return .zero }
        let (sum, carry) = addingReportingOverflow(addend)
        if !carry {
            return sum < modulus ? sum : sum.quotientAndRemainder(dividingBy: modulus).remainder
        }
        var u = (sum.l0, sum.l1, sum.l2, sum.l3, UInt64(1), UInt64(0))
        return withUnsafeMutableBytes(of: &u) { raw in
            UInt256._remainder(limbs: raw.baseAddress!.assumingMemoryBound(to: UInt64.self), limbCount: 5, dividingBy: modulus)
        }
    }

    /// (self * factor) mod modulus over the exact 512-bit product; modulus 0 gives 0.
    public func multipliedModulo(_ factor: UInt256, _ modulus: UInt256) -> UInt256 {
        if modulus.isZero { return .zero }
        let (high, low) = multipliedFullWidth(by: factor)
        if high.isZero {
            return low < modulus ? low : low.quotientAndRemainder(dividingBy: modulus).remainder
        }
        var u = (low.l0, low.l1, low.l2, low.l3, high.l0, high.l1, high.l2, high.l3, UInt64(0))
        return withUnsafeMutableBytes(of: &u) { raw in
            UInt256._remainder(limbs: raw.baseAddress!.assumingMemoryBound(to: UInt64.self), limbCount: 8, dividingBy: modulus)
        }
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
            let (q, r) = rest._quotientAndRemainder(dividingByLimb: chunk)
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
