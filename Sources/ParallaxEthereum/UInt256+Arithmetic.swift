/// Ring arithmetic on `UInt256`: addition and subtraction as carry/borrow
/// chains over the limbs, multiplication as schoolbook products of 64-bit
/// limbs (`multipliedFullWidth`, one `mul` each), fully unrolled.
///
/// The truncated product `&*` computes only the ten limb products that reach
/// the low 256 bits; the full-width product computes all sixteen. Invariant
/// of every multiply-accumulate step: hi(a*b) <= 2^64 - 2, so `hi + carry`
/// (carry <= 1) and `a*b + c + d` for 64-bit c, d never overflow 128 bits.
extension UInt256 {
    // MARK: Limb primitives

    /// a + b + carry, and the carry out.
    @inlinable @inline(__always)
    internal static func _adc(_ a: UInt64, _ b: UInt64, _ carry: Bool) -> (UInt64, Bool) {
        let (s1, o1) = a.addingReportingOverflow(b)
        let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
        return (s2, o1 || o2)
    }

    /// a - b - borrow, and the borrow out.
    @inlinable @inline(__always)
    internal static func _sbb(_ a: UInt64, _ b: UInt64, _ borrow: Bool) -> (UInt64, Bool) {
        let (d1, o1) = a.subtractingReportingOverflow(b)
        let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
        return (d2, o1 || o2)
    }

    /// a * b + c + d as (high, low): never overflows 128 bits.
    @inlinable @inline(__always)
    internal static func _mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (high: UInt64, low: UInt64) {
        let (h, l) = a.multipliedFullWidth(by: b)
        let (l1, o1) = l.addingReportingOverflow(c)
        let (l2, o2) = l1.addingReportingOverflow(d)
        return (h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0), l2)
    }

    // MARK: Addition and subtraction

    @inlinable @inline(__always)
    public func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = l0.addingReportingOverflow(other.l0)
        let (r1, c1) = UInt256._adc(l1, other.l1, c0)
        let (r2, c2) = UInt256._adc(l2, other.l2, c1)
        let (r3, c3) = UInt256._adc(l3, other.l3, c2)
        return (UInt256(r0, r1, r2, r3), c3)
    }

    @inlinable @inline(__always)
    public func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, b0) = l0.subtractingReportingOverflow(other.l0)
        let (r1, b1) = UInt256._sbb(l1, other.l1, b0)
        let (r2, b2) = UInt256._sbb(l2, other.l2, b1)
        let (r3, b3) = UInt256._sbb(l3, other.l3, b2)
        return (UInt256(r0, r1, r2, r3), b3)
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
