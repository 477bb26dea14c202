/// The state root: an order-independent, incrementally updatable commitment
/// to a whole key-value state.
///
/// ## Algorithm (interim; the precheck/state issues bring Keccak and a tree)
/// Each entry (key, value) is hashed to 256 bits by `EntryHash`; the
/// commitment is the sum of the entry hashes modulo 2^256 together with the
/// entry count (Bellare–Micciancio's AdHash, a multiset hash). Writing a key
/// subtracts the hash of its old entry and adds the hash of the new one, so a
/// block's root costs work proportional to its delta, not to the state, and
/// workers can sum their shares in any order. The root is `EntryHash` of the
/// sum and count, so the empty state does not have the all-zero root.
///
/// AdHash over a 256-bit modulus resists accidental collisions, not an
/// adversary (generalized-birthday attacks apply); it is a placeholder for a
/// Merkle commitment with a cryptographic hash, behind the same API.
@frozen
public struct StateCommitment: Hashable, Sendable {
    /// Sum of entry hashes mod 2^256, little-endian words.
    public var sum: (UInt64, UInt64, UInt64, UInt64)
    /// Number of entries (wraps, as the sum does).
    public var count: UInt64

    @inlinable public init() { sum = (0, 0, 0, 0); count = 0 }

    /// Adds the entry `key = value`.
    @inlinable
    public mutating func insert(_ key: StateKey, _ value: StateValue) {
        add(EntryHash.hash(key, value))
        count &+= 1
    }

    /// Removes the entry `key = value` (which must be present for the
    /// commitment to stay meaningful).
    @inlinable
    public mutating func remove(_ key: StateKey, _ value: StateValue) {
        let h = EntryHash.hash(key, value)
        // Two's complement of the 256-bit hash, then add.
        var carry: UInt64 = 1
        var negated: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        (negated.0, carry) = StateCommitment.addCarry(~h.0, carry)
        (negated.1, carry) = StateCommitment.addCarry(~h.1, carry)
        (negated.2, carry) = StateCommitment.addCarry(~h.2, carry)
        (negated.3, _) = StateCommitment.addCarry(~h.3, carry)
        add(negated)
        count &-= 1
    }

    /// Replaces `old` (nil: absent) by `new` (nil: deleted) under `key`.
    @inlinable
    public mutating func update(_ key: StateKey, from old: StateValue?, to new: StateValue?) {
        if let old { remove(key, old) }
        if let new { insert(key, new) }
    }

    /// Adds another commitment (the union of two disjoint multisets, or the
    /// application of a partial difference).
    @inlinable
    public mutating func merge(_ other: StateCommitment) {
        add(other.sum)
        count &+= other.count
    }

    @inlinable
    mutating func add(_ h: (UInt64, UInt64, UInt64, UInt64)) {
        var carry: UInt64 = 0
        (sum.0, carry) = StateCommitment.addCarry(sum.0, h.0, carry)
        (sum.1, carry) = StateCommitment.addCarry(sum.1, h.1, carry)
        (sum.2, carry) = StateCommitment.addCarry(sum.2, h.2, carry)
        (sum.3, _) = StateCommitment.addCarry(sum.3, h.3, carry)
    }

    @inlinable @inline(__always)
    static func addCarry(_ a: UInt64, _ b: UInt64, _ carryIn: UInt64 = 0) -> (UInt64, UInt64) {
        let (partial, overflow1) = a.addingReportingOverflow(b)
        let (result, overflow2) = partial.addingReportingOverflow(carryIn)
        return (result, (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0))
    }

    /// The state root committing to this multiset.
    public var root: StateRoot {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40)
        for word in [sum.0, sum.1, sum.2, sum.3, count] {
            for offset in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(8 * offset))) }
        }
        let h = EntryHash.hash(StateKey(0x7061_7261_6c6c_6178, 0x2d72_6f6f_7400_0000, 0, 0), StateValue(bytes))
        return StateRoot(h.3, h.2, h.1, h.0)
    }

    public static func == (lhs: StateCommitment, rhs: StateCommitment) -> Bool {
        lhs.sum == rhs.sum && lhs.count == rhs.count
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sum.0); hasher.combine(sum.1); hasher.combine(sum.2); hasher.combine(sum.3)
        hasher.combine(count)
    }
}

/// A 256-bit state root; `description` is 64 lowercase hex digits.
@frozen
public struct StateRoot: Hashable, Sendable, CustomStringConvertible {
    public var w0: UInt64
    public var w1: UInt64
    public var w2: UInt64
    public var w3: UInt64

    @inlinable
    public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public var description: String { hexString(words: [w0, w1, w2, w3]) }
}

/// The 256-bit hash of one state entry: four independent lanes of
/// SipHash-1-3 (Aumasson–Bernstein; the variant Rust's `HashMap` uses), each
/// with its own fixed public 128-bit key, over the message
/// `key words w0..w3 ‖ value length ‖ value bytes` taken as little-endian
/// 64-bit blocks with SipHash's final-block rule. The lanes run in one loop so
/// the CPU overlaps them. Fixed keys make this a fast, well-distributed hash,
/// not a collision-resistant one (see `StateCommitment`).
public enum EntryHash {
    @frozen @usableFromInline
    struct Lane {
        @usableFromInline var v0, v1, v2, v3: UInt64

        @inlinable @inline(__always)
        init(_ k0: UInt64, _ k1: UInt64) {
            v0 = k0 ^ 0x736f_6d65_7073_6575
            v1 = k1 ^ 0x646f_7261_6e64_6f6d
            v2 = k0 ^ 0x6c79_6765_6e65_7261
            v3 = k1 ^ 0x7465_6462_7974_6573
        }

        @inlinable @inline(__always)
        mutating func round() {
            v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
            v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
        }

        @inlinable @inline(__always)
        mutating func absorb(_ block: UInt64) {
            v3 ^= block
            round()
            v0 ^= block
        }

        @inlinable @inline(__always)
        mutating func finish() -> UInt64 {
            v2 ^= 0xFF
            round(); round(); round()
            return v0 ^ v1 ^ v2 ^ v3
        }
    }

    /// Hash of the entry `key = value`, as four little-endian words.
    @inlinable
    public static func hash(_ key: StateKey, _ value: StateValue) -> (UInt64, UInt64, UInt64, UInt64) {
        // Lane keys: 0..15 (SipHash's test key), then digits of pi.
        var a = Lane(0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908)
        var b = Lane(0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344)
        var c = Lane(0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89)
        var d = Lane(0x4528_21E6_38D0_1377, 0xBE54_66CF_34E9_0C6C)
        @inline(__always) func absorb(_ block: UInt64) {
            a.absorb(block); b.absorb(block); c.absorb(block); d.absorb(block)
        }
        absorb(key.w0); absorb(key.w1); absorb(key.w2); absorb(key.w3)
        absorb(UInt64(value.bytes.count))
        value.bytes.withUnsafeBytes { raw in
            let total = raw.count
            var offset = 0
            while offset + 8 <= total {
                absorb(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                offset += 8
            }
            // Final block: the remaining bytes and the message length in the top byte.
            var last = UInt64(truncatingIfNeeded: 40 + total) << 56
            var shift: UInt64 = 0
            while offset < total {
                last |= UInt64(raw[offset]) << shift
                shift += 8
                offset += 1
            }
            absorb(last)
        }
        return (a.finish(), b.finish(), c.finish(), d.finish())
    }
}

extension UInt64 {
    @inlinable @inline(__always)
    func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
