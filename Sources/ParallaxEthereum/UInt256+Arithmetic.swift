/// Ring arithmetic on `UInt256`: addition and subtraction as carry/borrow
/// chains over the limbs (written with 128-bit partial sums so that they
/// compile to `adc`/`sbb`), multiplication as schoolbook products of 64-bit
/// limbs (`multipliedFullWidth`, one `mul` each), fully unrolled.
///
/// The truncated product `&*` computes only the ten limb products that reach
/// the low 256 bits; the full-width product computes all sixteen. Invariant
/// of every multiply-accumulate step: hi(a*b) <= 2^64 - 2, so `hi + carry`
/// (carry <= 1) and `a*b + c + d` for 64-bit c, d never overflow 128 bits.
extension UInt256 {
    // MARK: Limb primitives

    /// a * b + c + d as (high, low): never overflows 128 bits. In 128-bit
    /// arithmetic so that it lowers to `mul`, `add`, `adc`.
    @inlinable @inline(__always)
    internal static func _mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (high: UInt64, low: UInt64) {
        let p = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(d)
        return (UInt64(truncatingIfNeeded: p &>> 64), UInt64(truncatingIfNeeded: p))
    }

    // MARK: Addition and subtraction

    /// The sum and its carry out. The carry runs through 128-bit partial
    /// sums, the form LLVM lowers to `add`/`adc` (64-bit overflow flags
    /// combined with `||` come out as branches).
    @inlinable @inline(__always)
    public func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var t = UInt128(l0) &+ UInt128(other.l0)
        let r0 = UInt64(truncatingIfNeeded: t)
        t = (t &>> 64) &+ UInt128(l1) &+ UInt128(other.l1)
        let r1 = UInt64(truncatingIfNeeded: t)
        t = (t &>> 64) &+ UInt128(l2) &+ UInt128(other.l2)
        let r2 = UInt64(truncatingIfNeeded: t)
        t = (t &>> 64) &+ UInt128(l3) &+ UInt128(other.l3)
        return (UInt256(r0, r1, r2, UInt64(truncatingIfNeeded: t)), (t &>> 64) != 0)
    }

    /// The difference and its borrow out, as `self + ~other + 1` (no carry
    /// out means a borrow): `sub`/`sbb`.
    @inlinable @inline(__always)
    public func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var t = UInt128(l0) &+ UInt128(~other.l0) &+ 1
        let r0 = UInt64(truncatingIfNeeded: t)
        t = (t &>> 64) &+ UInt128(l1) &+ UInt128(~other.l1)
        let r1 = UInt64(truncatingIfNeeded: t)
        t = (t &>> 64) &+ UInt128(l2) &+ UInt128(~other.l2)
        let r2 = UInt64(truncatingIfNeeded: t)
        t = (t &>> 64) &+ UInt128(l3) &+ UInt128(~other.l3)
        return (UInt256(r0, r1, r2, UInt64(truncatingIfNeeded: t)), (t &>> 64) == 0)
    }

    @inlinable @inline(__always)
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 {
        a.addingReportingOverflow(b).partialValue
    }

    @inlinable @inline(__always)
    public static func &- (a: UInt256, b: UInt256) -> UInt256 {
        a.subtractingReportingOverflow(b).partialValue
    }

    @inlinable @inline(__always)
    public static func &+= (a: inout UInt256, b: UInt256) { a = a &+ b }

    @inlinable @inline(__always)
    public static func &-= (a: inout UInt256, b: UInt256) { a = a &- b }

    /// Two's-complement negation: 0 - self.
    @inlinable @inline(__always)
    public var negated: UInt256 { UInt256.zero &- self }

    // MARK: Multiplication

    /// The low 256 bits of the product.
    @inlinable @inline(__always)
    public static func &* (a: UInt256, b: UInt256) -> UInt256 {
        // Row 0: a * b.l0, limbs 0-3.
        var (c, r0) = a.l0.multipliedFullWidth(by: b.l0)
        var r1: UInt64, r2: UInt64, r3: UInt64
        (c, r1) = _mac(a.l1, b.l0, c, 0)
        (c, r2) = _mac(a.l2, b.l0, c, 0)
        r3 = a.l3 &* b.l0 &+ c
        // Row 1: a * b.l1, limbs 1-3.
        (c, r1) = _mac(a.l0, b.l1, r1, 0)
        (c, r2) = _mac(a.l1, b.l1, r2, c)
        r3 = r3 &+ a.l2 &* b.l1 &+ c
        // Row 2: a * b.l2, limbs 2-3.
        (c, r2) = _mac(a.l0, b.l2, r2, 0)
        r3 = r3 &+ a.l1 &* b.l2 &+ c
        // Row 3: a * b.l3, limb 3.
        r3 = r3 &+ a.l0 &* b.l3
        return UInt256(r0, r1, r2, r3)
    }

    @inlinable @inline(__always)
    public static func &*= (a: inout UInt256, b: UInt256) { a = a &* b }

    /// The low 256 bits of self * self: six limb products instead of ten
    /// (the cross products are computed once and doubled), EXP's inner step.
    @inlinable @inline(__always)
    public var squaredWrapping: UInt256 {
        let p01 = l0.multipliedFullWidth(by: l1)
        let p02 = l0.multipliedFullWidth(by: l2)
        // Cross sum a0a1*b + a0a2*b^2 + (a0a3 + a1a2)*b^3, limbs 1-3.
        var t = UInt128(p01.high) &+ UInt128(p02.low)
        let c1 = p01.low
        let c2 = UInt64(truncatingIfNeeded: t)
        let c3 = UInt64(truncatingIfNeeded: t &>> 64) &+ p02.high &+ l0 &* l3 &+ l1 &* l2
        // Doubled, plus the squares a0^2 + a1^2*b^2.
        let d1 = c1 << 1, d2 = c2 << 1 | c1 >> 63, d3 = c3 << 1 | c2 >> 63
        let p00 = l0.multipliedFullWidth(by: l0)
        let p11 = l1.multipliedFullWidth(by: l1)
        t = UInt128(p00.high) &+ UInt128(d1)
        let r1 = UInt64(truncatingIfNeeded: t)
        t = (t &>> 64) &+ UInt128(p11.low) &+ UInt128(d2)
        let r2 = UInt64(truncatingIfNeeded: t)
        let r3 = UInt64(truncatingIfNeeded: t &>> 64) &+ p11.high &+ d3
        return UInt256(p00.low, r1, r2, r3)
    }

    /// The product and whether it exceeded 2^256 - 1.
    @inlinable
    public func multipliedReportingOverflow(by other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (high, low) = multipliedFullWidth(by: other)
        return (low, !high.isZero)
    }

    /// The 512-bit product as (high, low) 256-bit halves.
    @inlinable
    public func multipliedFullWidth(by other: UInt256) -> (high: UInt256, low: UInt256) {
        let a = self, b = other
        var c: UInt64
        var r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64, r4: UInt64, r5: UInt64, r6: UInt64, r7: UInt64
        // Row 0.
        (c, r0) = a.l0.multipliedFullWidth(by: b.l0)
        (c, r1) = UInt256._mac(a.l1, b.l0, c, 0)
        (c, r2) = UInt256._mac(a.l2, b.l0, c, 0)
        (r4, r3) = UInt256._mac(a.l3, b.l0, c, 0)
        // Row 1.
        (c, r1) = UInt256._mac(a.l0, b.l1, r1, 0)
        (c, r2) = UInt256._mac(a.l1, b.l1, r2, c)
        (c, r3) = UInt256._mac(a.l2, b.l1, r3, c)
        (r5, r4) = UInt256._mac(a.l3, b.l1, r4, c)
        // Row 2.
        (c, r2) = UInt256._mac(a.l0, b.l2, r2, 0)
        (c, r3) = UInt256._mac(a.l1, b.l2, r3, c)
        (c, r4) = UInt256._mac(a.l2, b.l2, r4, c)
        (r6, r5) = UInt256._mac(a.l3, b.l2, r5, c)
        // Row 3.
        (c, r3) = UInt256._mac(a.l0, b.l3, r3, 0)
        (c, r4) = UInt256._mac(a.l1, b.l3, r4, c)
        (c, r5) = UInt256._mac(a.l2, b.l3, r5, c)
        (r7, r6) = UInt256._mac(a.l3, b.l3, r6, c)
        return (UInt256(r4, r5, r6, r7), UInt256(r0, r1, r2, r3))
    }

    /// self * m + addend as five limbs (low four, then the top): the step of
    /// decimal parsing and of reductions by a single limb.
    @inlinable @inline(__always)
    internal func _multipliedAdding(_ m: UInt64, _ addend: UInt64) -> (UInt256, UInt64) {
        var c: UInt64, r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64
        (c, r0) = UInt256._mac(l0, m, addend, 0)
        (c, r1) = UInt256._mac(l1, m, c, 0)
        (c, r2) = UInt256._mac(l2, m, c, 0)
        (c, r3) = UInt256._mac(l3, m, c, 0)
        return (UInt256(r0, r1, r2, r3), c)
    }
}
