/// The EVM's 256-bit word: four 64-bit limbs, least significant first.
///
/// Every arithmetic operation wraps modulo 2^256 as the EVM does; the signed
/// operations read the word as two's complement. The limbs are stored in the
/// struct (no heap, no indirection) and the hot operations are `@inlinable`,
/// so the interpreter's stack slots compile down to four registers each.
/// Algorithms live beside their concern: this file holds construction,
/// bytes, hex, comparison and bitwise logic; `UInt256+Arithmetic.swift` the
/// ring operations, `UInt256+Division.swift` Knuth's algorithm D and the
/// modular reductions, `UInt256+EVM.swift` the opcodes' exact semantics.
///
/// Invariant: none beyond the limbs — every bit pattern is a valid word.
@frozen public struct UInt256: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Bits 0-63.
    public var l0: UInt64
    /// Bits 64-127.
    public var l1: UInt64
    /// Bits 128-191.
    public var l2: UInt64
    /// Bits 192-255.
    public var l3: UInt64

    /// The word from its limbs, least significant first.
    @inlinable @inline(__always)
    public init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
    }

    @inlinable @inline(__always)
    public init(_ value: UInt64) {
        self.init(value, 0, 0, 0)
    }

    @inlinable @inline(__always)
    public init(_ value: UInt128) {
        self.init(UInt64(truncatingIfNeeded: value), UInt64(truncatingIfNeeded: value &>> 64), 0, 0)
    }

    // Computed, not stored: a stored static is reached through a lazy
    // initializer from other modules, which the interpreter would pay per use.
    @inlinable @inline(__always) public static var zero: UInt256 { UInt256(0, 0, 0, 0) }
    @inlinable @inline(__always) public static var one: UInt256 { UInt256(1, 0, 0, 0) }
    @inlinable @inline(__always) public static var max: UInt256 { UInt256(.max, .max, .max, .max) }

    @inlinable @inline(__always)
    public var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// The low 64 bits (the whole value when `uint64IfFits` is not nil).
    @inlinable @inline(__always)
    public var low64: UInt64 { l0 }

    /// The value when it is at most `UInt64.max`.
    @inlinable @inline(__always)
    public var uint64IfFits: UInt64? { (l1 | l2 | l3) == 0 ? l0 : nil }

    /// Whether the value is at most `UInt64.max`.
    @inlinable @inline(__always)
    public var fitsInUInt64: Bool { (l1 | l2 | l3) == 0 }

    @inlinable
    public var leadingZeroBitCount: Int {
        if l3 != 0 { return l3.leadingZeroBitCount }
        if l2 != 0 { return 64 + l2.leadingZeroBitCount }
        if l1 != 0 { return 128 + l1.leadingZeroBitCount }
        return 192 + l0.leadingZeroBitCount
    }

    /// Position of the highest set bit plus one; 0 for zero.
    @inlinable
    public var significantBits: Int { 256 - leadingZeroBitCount }

    /// Bytes of the minimal big-endian encoding; 0 for zero (RLP, EXP gas).
    @inlinable
    public var significantBytes: Int { (significantBits + 7) >> 3 }

    // MARK: Comparison

    @inlinable @inline(__always)
    public static func == (a: UInt256, b: UInt256) -> Bool {
        ((a.l0 ^ b.l0) | (a.l1 ^ b.l1) | (a.l2 ^ b.l2) | (a.l3 ^ b.l3)) == 0
    }

    @inlinable @inline(__always)
    public func hash(into hasher: inout Hasher) {
        hasher.combine(l0)
        hasher.combine(l1)
        hasher.combine(l2)
        hasher.combine(l3)
    }

    /// Unsigned order: the borrow out of `a - b`, computed as the missing
    /// carry out of `a + ~b + 1` in 128-bit steps, the form LLVM lowers to
    /// one `cmp` and three `sbb` (64-bit overflow flags combined with `||`
    /// come out as branches).
    @inlinable @inline(__always)
    public static func < (a: UInt256, b: UInt256) -> Bool {
        var t = UInt128(a.l0) &+ UInt128(~b.l0) &+ 1
        t = (t &>> 64) &+ UInt128(a.l1) &+ UInt128(~b.l1)
        t = (t &>> 64) &+ UInt128(a.l2) &+ UInt128(~b.l2)
        t = (t &>> 64) &+ UInt128(a.l3) &+ UInt128(~b.l3)
        return (t &>> 64) == 0
    }

    /// Two's-complement sign bit.
    @inlinable @inline(__always)
    public var isNegative: Bool { Int64(bitPattern: l3) < 0 }

    /// Two's-complement order (SLT, SGT): unsigned order after flipping both signs.
    @inlinable @inline(__always)
    public func signedLessThan(_ other: UInt256) -> Bool {
        let signBit: UInt64 = 1 << 63
        return UInt256(l0, l1, l2, l3 ^ signBit) < UInt256(other.l0, other.l1, other.l2, other.l3 ^ signBit)
    }

    // MARK: Bitwise

    @inlinable @inline(__always)
    public static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(a.l0 & b.l0, a.l1 & b.l1, a.l2 & b.l2, a.l3 & b.l3)
    }

    @inlinable @inline(__always)
    public static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(a.l0 | b.l0, a.l1 | b.l1, a.l2 | b.l2, a.l3 | b.l3)
    }

    @inlinable @inline(__always)
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(a.l0 ^ b.l0, a.l1 ^ b.l1, a.l2 ^ b.l2, a.l3 ^ b.l3)
    }

    @inlinable @inline(__always)
    public static prefix func ~ (a: UInt256) -> UInt256 {
        UInt256(~a.l0, ~a.l1, ~a.l2, ~a.l3)
    }

    @inlinable @inline(__always)
    public static func &= (a: inout UInt256, b: UInt256) { a = a & b }

    @inlinable @inline(__always)
    public static func |= (a: inout UInt256, b: UInt256) { a = a | b }

    @inlinable @inline(__always)
    public static func ^= (a: inout UInt256, b: UInt256) { a = a ^ b }

    /// Bit `index` (0 = least significant), `index` in 0..<256.
    @inlinable @inline(__always)
    public func bit(_ index: Int) -> Bool {
        let limb: UInt64
        switch index >> 6 {
        case 0: limb = l0
        case 1: limb = l1
        case 2: limb = l2
        default: limb = l3
        }
        return (limb >> UInt64(index & 63)) & 1 != 0
    }

    // MARK: Shifts by a plain count

    /// `self << count` for `count` in 0..<256 (bits shifted out are lost).
    @inlinable @inline(__always)
    public func shiftedLeft(_ count: Int) -> UInt256 {
        let words = count >> 6
        let bits = UInt64(count & 63)
        var r0 = l0, r1 = l1, r2 = l2, r3 = l3
        switch words {
        case 0: break
        case 1: (r0, r1, r2, r3) = (0, l0, l1, l2)
        case 2: (r0, r1, r2, r3) = (0, 0, l0, l1)
        default: (r0, r1, r2, r3) = (0, 0, 0, l0)
        }
        if bits == 0 { return UInt256(r0, r1, r2, r3) }
        let back = 64 - bits
        return UInt256(
            r0 << bits,
            (r1 << bits) | (r0 >> back),
            (r2 << bits) | (r1 >> back),
            (r3 << bits) | (r2 >> back))
    }

    /// `self >> count` (logical) for `count` in 0..<256.
    @inlinable @inline(__always)
    public func shiftedRight(_ count: Int) -> UInt256 {
        let words = count >> 6
        let bits = UInt64(count & 63)
        var r0 = l0, r1 = l1, r2 = l2, r3 = l3
        switch words {
        case 0: break
        case 1: (r0, r1, r2, r3) = (l1, l2, l3, 0)
        case 2: (r0, r1, r2, r3) = (l2, l3, 0, 0)
        default: (r0, r1, r2, r3) = (l3, 0, 0, 0)
        }
        if bits == 0 { return UInt256(r0, r1, r2, r3) }
        let back = 64 - bits
        return UInt256(
            (r0 >> bits) | (r1 << back),
            (r1 >> bits) | (r2 << back),
            (r2 >> bits) | (r3 << back),
            r3 >> bits)
    }

    // MARK: Big-endian bytes

    /// The big-endian number in `bytes`, right-aligned (fewer than 32 bytes
    /// leave the high bytes zero: PUSHn, CALLDATALOAD tails, RLP scalars).
    /// Callers pass at most 32 bytes; a longer buffer is read as a number
    /// too and reduced modulo 2^256 (its last 32 bytes), never a crash.
    @inlinable @inline(__always)
    public init(bigEndian bytes: UnsafeRawBufferPointer) {
        if bytes.count == 32, let start = bytes.baseAddress {
            self.init(
                UInt64(bigEndian: start.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
                UInt64(bigEndian: start.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                UInt64(bigEndian: start.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt64(bigEndian: start.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        } else {
            self.init(_bigEndianOtherThan32: bytes)
        }
    }

    /// `init(bigEndian:)` for buffers of any length but 32: right-aligned
    /// into a zeroed 32-byte block (longer ones keep their last 32 bytes).
    @usableFromInline
    internal init(_bigEndianOtherThan32 bytes: UnsafeRawBufferPointer) {
        var count = bytes.count
        guard var start = bytes.baseAddress, count > 0 else {
            self.init(0, 0, 0, 0)
            return
        }
        if count > 32 {
            start += count - 32
            count = 32
        }
        var block: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &block) { raw in
            (raw.baseAddress! + (32 - count)).copyMemory(from: start, byteCount: count)
        }
        self.init(UInt64(bigEndian: block.3), UInt64(bigEndian: block.2), UInt64(bigEndian: block.1), UInt64(bigEndian: block.0))
    }

    /// The big-endian number in `bytes`, right-aligned; nil for more than 32 bytes.
    @inlinable
    public init?(bigEndianBytes bytes: some Collection<UInt8>) {
        if let word = bytes.withContiguousStorageIfAvailable({ buffer -> UInt256? in
            buffer.count > 32 ? nil : UInt256(bigEndian: UnsafeRawBufferPointer(buffer))
        }) {
            guard let word else { return nil }
            self = word
            return
        }
        guard bytes.count <= 32 else { return nil }
        var value = UInt256.zero
        for byte in bytes {
            value = value.shiftedLeft(8)
            value.l0 |= UInt64(byte)
        }
        self = value
    }

    /// Writes the 32-byte big-endian encoding at `pointer` (no alignment needed).
    @inlinable @inline(__always)
    public func storeBigEndian(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: l3.bigEndian, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: l2.bigEndian, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: l1.bigEndian, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: l0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// The 32-byte big-endian encoding.
    @inlinable
    public var bigEndianBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, initialized in
            storeBigEndian(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            initialized = 32
        }
    }

    /// The minimal big-endian encoding: no leading zero bytes, empty for zero.
    public var minimalBigEndianBytes: [UInt8] {
        Array(bigEndianBytes.dropFirst(32 - significantBytes))
    }

    // MARK: Text

    /// Hex digits with an optional "0x"/"0X" prefix, odd length allowed.
    /// Leading zeros are ignored; more than 64 significant digits, a non-hex
    /// character or an empty string give nil. "0x" alone reads as zero (the
    /// state tests write an empty quantity so).
    public init?(hex: String) {
        var utf8 = Substring(hex).utf8[...]
        if utf8.count >= 2, utf8.first == UInt8(ascii: "0"),
           utf8.dropFirst().first == UInt8(ascii: "x") || utf8.dropFirst().first == UInt8(ascii: "X") {
            utf8 = utf8.dropFirst(2)
        } else if utf8.isEmpty {
            return nil
        }
        while utf8.first == UInt8(ascii: "0") { utf8 = utf8.dropFirst() }
        guard utf8.count <= 64 else { return nil }
        var value = UInt256.zero
        for char in utf8 {
            let digit: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = char - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value.shiftedLeft(4)
            value.l0 |= UInt64(digit)
        }
        self = value
    }

    /// "0x" and lowercase hex without leading zeros; "0x0" for zero.
    public var description: String {
        let digits = Swift.max(1, (significantBits + 3) >> 2)
        let hexDigits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: digits + 2) { buffer in
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "x")
            hexDigits.withUTF8Buffer { table in
                for position in 0..<digits {
                    let shift = (digits - 1 - position) * 4
                    let nibble = Int(shiftedRight(shift).l0 & 0xF)
                    buffer[2 + position] = table[nibble]
                }
            }
            return digits + 2
        }
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    @inlinable @inline(__always)
    public init(integerLiteral value: UInt64) {
        self.init(value, 0, 0, 0)
    }
}
