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

    /// The commitment of the empty state.
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
    /// The first 8 bytes of the root, big-endian (the first 16 hex digits of `description`).
    public var w0: UInt64
    /// Bytes 8..<16, big-endian.
    public var w1: UInt64
    /// Bytes 16..<24, big-endian.
    public var w2: UInt64
    /// Bytes 24..<32, big-endian.
    public var w3: UInt64

    /// A root from its four words, most significant first.
    @inlinable
    public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public var description: String { hexString(words: [w0, w1, w2, w3]) }
}

/// The 256-bit hash of one state entry: four independent lanes of a
/// multiply-fold ("MUM", as in wyhash) chain over the message
/// `key words w0..w3 ‖ value length ‖ value bytes` taken as little-endian
/// 64-bit words (the last one zero-padded). Per word, a lane computes
/// `state = fold(state ^ word ^ a, b)` where `fold(x, y)` is the xor of the
/// high and low halves of the 128-bit product and `a`, `b` are the lane's
/// constants (digits of pi and e, `b` odd); a final fold with the message
/// length and an xorshift-multiply finalizer (SplitMix64's) avalanche each
/// lane. The lanes run in one loop, so the CPU overlaps their multiplies:
/// about ten nanoseconds per entry, which keeps the state root cheap next to
/// execution. It is well distributed, not collision resistant: a placeholder
/// until the precheck issue brings Keccak (see `StateCommitment`).
public enum EntryHash {
    @frozen @usableFromInline
    struct Lane {
        @usableFromInline var state: UInt64
        @usableFromInline let a: UInt64
        @usableFromInline let b: UInt64

        @inlinable @inline(__always)
        init(_ a: UInt64, _ b: UInt64) {
            self.a = a
            self.b = b | 1
            state = a ^ b
        }

        @inlinable @inline(__always)
        static func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let product = x.multipliedFullWidth(by: y)
            return product.high ^ product.low
        }

        @inlinable @inline(__always)
        mutating func absorb(_ word: UInt64) { state = Lane.fold(state ^ word ^ a, b) }

        @inlinable @inline(__always)
        func finish(length: UInt64) -> UInt64 {
            var z = Lane.fold(state ^ length ^ b, a | 1)
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Hash of the entry `key = value`, as four little-endian words.
    @inlinable
    public static func hash(_ key: StateKey, _ value: StateValue) -> (UInt64, UInt64, UInt64, UInt64) {
        // Lane constants: hex digits of pi (a) and of e (b).
        var l0 = Lane(0x243F_6A88_85A3_08D3, 0xB7E1_5162_8AED_2A6A)
        var l1 = Lane(0x1319_8A2E_0370_7344, 0xBF71_5880_9CF4_F3C7)
        var l2 = Lane(0xA409_3822_299F_31D0, 0x62E7_160F_38B4_DA56)
        var l3 = Lane(0x082E_FA98_EC4E_6C89, 0xA7A4_1EE4_AE5E_23E4)
        @inline(__always) func absorb(_ word: UInt64) {
            l0.absorb(word); l1.absorb(word); l2.absorb(word); l3.absorb(word)
        }
        absorb(key.w0); absorb(key.w1); absorb(key.w2); absorb(key.w3)
        let count = value.count
        absorb(UInt64(count))
        switch value.storage {
        case .inline(let low, let high, _):
            // The same words the byte loop below would form (unused bytes are zero).
            if count > 0 { absorb(low) }
            if count > 8 { absorb(high) }
        case .heap(let bytes):
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset + 8 <= count {
                    absorb(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                    offset += 8
                }
                if offset < count {
                    var last: UInt64 = 0
                    var shift: UInt64 = 0
                    while offset < count {
                        last |= UInt64(raw[offset]) << shift
                        shift += 8
                        offset += 1
                    }
                    absorb(last)
                }
            }
        }
        let length = UInt64(40 + count)
        return (l0.finish(length: length), l1.finish(length: length), l2.finish(length: length), l3.finish(length: length))
    }
}
