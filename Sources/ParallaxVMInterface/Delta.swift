/// Commutative delta writes: add to or subtract from an unsigned integer
/// value without reading it (Aptos' aggregators, pevm's lazy balances).
///
/// ## Semantics (the same in every executor; `SequentialExecutor` defines it)
/// A key's value is read as an unsigned little-endian integer of its first
/// 16 bytes (absent: 0). `add(key, amount, upTo: bound)` succeeds when
/// `value + amount <= bound`, `subtract(key, amount)` when
/// `value >= amount`; a success sets the key to the new value encoded in
/// the operation's width (8 bytes for the `UInt64` overloads, 16 for
/// `UInt128`), a failure changes nothing and throws `DeltaError` (a revert
/// unless the contract catches it). `canAdd`/`canSubtract` answer the same
/// question without changing anything. All of this is exactly what a
/// read-modify-write would do; the difference is what a transaction depends
/// on: only on the *answer* of each bound check, not on the value.
///
/// ## How the parallel executor keeps that promise
/// A transaction's deltas to a key fold in its write buffer into one signed
/// operand, published as a DELTA version (`MultiVersionMemory`). A bound
/// check resolves the value below the transaction (deltas folded down to
/// the last full write, a committed version or the base state) and records
/// a check entry in the read-set: (operand so far, bound, answer);
/// validation re-resolves and compares the answer. Two transactions that
/// only add to a key therefore never invalidate each other while their
/// checks keep their answers. An exact `read` of a key whose visible
/// version is a delta records the resolved value (validated by value), a
/// real dependency on every delta below. At commit, each delta version is
/// materialized into a full value, so resolution walks only the
/// uncommitted part of a chain.
public enum DeltaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The addition would exceed the declared upper bound (or 2^128 - 1).
    case aboveBound(StateKey)
    /// The subtraction would go below zero.
    case belowZero(StateKey)

    public var description: String {
        switch self {
        case .aboveBound(let key): "delta on \(key) would exceed its bound"
        case .belowZero(let key): "delta on \(key) would go below zero"
        }
    }
}

/// A signed 129-bit delta operand: `magnitude` with a sign, plus the width
/// (8 or 16 bytes) its result is encoded in.
package struct DeltaOperand: Equatable {
    package var magnitude: UInt128 = 0
    package var negative = false
    package var width: UInt8 = 8

    /// `self + other`, the width of `other` (the later operation); nil if
    /// the sum leaves 129 bits (never for operands of successful checks).
    package func adding(_ other: DeltaOperand) -> DeltaOperand? {
        var result = DeltaOperand(width: other.width)
        if negative == other.negative {
            let (sum, overflow) = magnitude.addingReportingOverflow(other.magnitude)
            if overflow { return nil }
            result.magnitude = sum
            result.negative = negative
        } else if magnitude >= other.magnitude {
            result.magnitude = magnitude - other.magnitude
            result.negative = negative
        } else {
            result.magnitude = other.magnitude - magnitude
            result.negative = other.negative
        }
        if result.magnitude == 0 { result.negative = false }
        return result
    }

    /// `base + self` when it lies in `0...upper`, else nil.
    package func apply(to base: UInt128, upper: UInt128 = .max) -> UInt128? {
        if negative {
            guard base >= magnitude else { return nil }
            let result = base - magnitude
            return result <= upper ? result : nil
        }
        let (sum, overflow) = base.addingReportingOverflow(magnitude)
        return !overflow && sum <= upper ? sum : nil
    }

    /// A fee credit of `amount` (`ExecutionContext.creditFee`): an 8-byte
    /// delta bounded by `feeCreditUpper`, dropped when it would overflow.
    package static func feeCredit(_ amount: UInt64) -> DeltaOperand { DeltaOperand(magnitude: UInt128(amount), width: 8) }
    package static let feeCreditUpper = UInt128(UInt64.max)

    /// `value` with a fee credit of `amount` applied; nil when the credit
    /// would overflow and is dropped.
    package static func credit(_ amount: UInt64, to value: StateValue?) -> StateValue? {
        let operand = feeCredit(amount)
        return operand.apply(to: value?.uint128Value ?? 0, upper: feeCreditUpper).map { operand.encode($0) }
    }

    /// `base + self` wrapping modulo 2^128: the value a speculative (possibly
    /// inconsistent) chain resolves to; validation decides whether it stands.
    package func wrappingApply(to base: UInt128) -> UInt128 { negative ? base &- magnitude : base &+ magnitude }

    package func encode(_ value: UInt128) -> StateValue { DeltaOperand.encode(value, width: width) }

    package static func encode(_ value: UInt128, width: UInt8) -> StateValue {
        StateValue(storage: .inline(low: UInt64(truncatingIfNeeded: value),
                                    high: width == 16 ? UInt64(truncatingIfNeeded: value >> 64) : 0, count: width))
    }

    /// The operand stored as a value of the value arena (internal encoding,
    /// never visible to contracts): magnitude in the two words, the width
    /// in the count with bit 7 for a negative sign.
    package var stored: StateValue {
        StateValue(storage: .inline(low: UInt64(truncatingIfNeeded: magnitude), high: UInt64(truncatingIfNeeded: magnitude >> 64),
                                    count: width | (negative ? 0x80 : 0)))
    }

    package init(magnitude: UInt128 = 0, negative: Bool = false, width: UInt8 = 8) {
        self.magnitude = magnitude
        self.negative = negative
        self.width = width
    }

    package init(stored value: StateValue) {
        guard case .inline(let low, let high, let count) = value.storage else { preconditionFailure("not a delta operand") }
        self.init(magnitude: UInt128(high) << 64 | UInt128(low), negative: count & 0x80 != 0, width: count & 0x7F)
    }
}

extension StateValue {
    @usableFromInline
    package init(storage: Storage) { self.storage = storage }

    /// The value as the unsigned integer of its first 16 bytes, little-endian
    /// (absent bytes are zero): what deltas operate on.
    package var uint128Value: UInt128 {
        switch storage {
        case .inline(let low, let high, _): UInt128(high) << 64 | UInt128(low)
        case .heap(let bytes):
            bytes.withUnsafeBytes { raw in
                UInt128(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian) << 64
                    | UInt128(raw.loadUnaligned(as: UInt64.self).littleEndian)
            }
        }
    }
}

extension ExecutionContext {
    // MARK: Delta API

    /// Adds `amount` to the 64-bit value of `key` if the result stays at or
    /// below `bound`; throws `DeltaError.aboveBound` otherwise.
    public func add(_ key: StateKey, _ amount: UInt64, upTo bound: UInt64 = .max) throws {
        try delta(key, DeltaOperand(magnitude: UInt128(amount), width: 8), upper: UInt128(bound))
    }

    /// Subtracts `amount` from the 64-bit value of `key` if it does not go
    /// below zero; throws `DeltaError.belowZero` otherwise.
    public func subtract(_ key: StateKey, _ amount: UInt64) throws {
        try delta(key, DeltaOperand(magnitude: UInt128(amount), negative: true, width: 8), upper: UInt128(UInt64.max))
    }

    /// 128-bit `add(_:_:upTo:)` (16-byte result).
    public func add(_ key: StateKey, _ amount: UInt128, upTo bound: UInt128 = .max) throws {
        try delta(key, DeltaOperand(magnitude: amount, width: 16), upper: bound)
    }

    /// 128-bit `subtract(_:_:)` (16-byte result).
    public func subtract(_ key: StateKey, _ amount: UInt128) throws {
        try delta(key, DeltaOperand(magnitude: amount, negative: true, width: 16), upper: .max)
    }

    /// Whether `add(key, amount, upTo: bound)` would succeed now. Depends
    /// only on the answer (validation re-checks the answer, not the value).
    public func canAdd(_ key: StateKey, _ amount: UInt128, upTo bound: UInt128 = .max) throws(ExecutionError) -> Bool {
        try check(key, DeltaOperand(magnitude: amount, width: 16), upper: bound)
    }

    /// Whether `subtract(key, amount)` would succeed now (see `canAdd`).
    public func canSubtract(_ key: StateKey, _ amount: UInt128) throws(ExecutionError) -> Bool {
        try check(key, DeltaOperand(magnitude: amount, negative: true, width: 16), upper: .max)
    }

    // MARK: Implementation

    /// Credits a fee (see `FeeBeneficiary`): no gas,
    /// dropped on overflow, by delta or by read-modify-write.
    package func creditFee(_ amount: UInt64, to beneficiary: FeeBeneficiary) throws(ExecutionError) {
        if beneficiary.byDelta {
            _ = try applyDelta(beneficiary.key, DeltaOperand.feeCredit(amount), upper: DeltaOperand.feeCreditUpper)
        } else {
            guard let credited = DeltaOperand.credit(amount, to: try currentValue(beneficiary.key)) else { return }
            put(beneficiary.key, credited)
        }
    }

    private func check(_ key: StateKey, _ operand: DeltaOperand, upper: UInt128) throws(ExecutionError) -> Bool {
        try requireDeclared(key, write: false)
        try chargeGas(schedule.read)
        return try evaluate(key, operand, upper: upper).answer
    }

    private func delta(_ key: StateKey, _ operand: DeltaOperand, upper: UInt128) throws {
        try requireDeclared(key, write: true)
        try chargeGas(schedule.write &+ schedule.perByte &* UInt64(operand.width))
        guard try applyDelta(key, operand, upper: upper) else {
            throw operand.negative ? DeltaError.belowZero(key) : DeltaError.aboveBound(key)
        }
    }

    /// Applies `operand` to `key` if its bound check passes; the answer.
    private func applyDelta(_ key: StateKey, _ operand: DeltaOperand, upper: UInt128) throws(ExecutionError) -> Bool {
        let (answer, slot, combined) = try evaluate(key, operand, upper: upper)
        guard answer else { return false }
        if let slot, deltas[slot] == nil {
            // The transaction wrote the key itself: plain arithmetic on its own value.
            let own = values[slot]?.uint128Value ?? 0
            putValue(slot, operand.encode(operand.apply(to: own, upper: upper).unsafelyUnwrapped))
        } else {
            putDelta(key, slot, combined.unsafelyUnwrapped)
        }
        return true
    }

    /// The answer of a bound check of `operand` on top of what the
    /// transaction already did to `key`; the key's slot and, for a pending
    /// delta, the combined operand.
    private func evaluate(_ key: StateKey, _ operand: DeltaOperand, upper: UInt128) throws(ExecutionError)
        -> (answer: Bool, slot: Int?, combined: DeltaOperand?) {
        let slot = ownWrite(key)
        if let slot, deltas[slot] == nil {
            let own = values[slot]?.uint128Value ?? 0
            return (operand.apply(to: own, upper: upper) != nil, slot, nil)
        }
        let pending = slot.flatMap { deltas[$0] } ?? DeltaOperand(width: operand.width)
        guard let combined = pending.adding(operand) else { return (false, slot, nil) }
        do {
            return (try reader.checkDelta(key, combined, upper: upper), slot, combined)
        } catch {
            failure = error
            throw error
        }
    }
}

extension ContextReader {
    /// A pending own delta applied to the exact value below it: what the
    /// transaction reads, and the sequential executor's write-set value.
    package func applyOwn(_ delta: DeltaOperand, to value: StateValue?) -> StateValue {
        delta.encode(delta.wrappingApply(to: value?.uint128Value ?? 0))
    }
}
