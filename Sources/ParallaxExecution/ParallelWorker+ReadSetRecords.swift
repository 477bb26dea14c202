// The read-set records of `ParallelWorker` that are validated by
// re-evaluation rather than by version: a delta check (`checkDelta`) and
// the exact value under pending deltas. Their encoding lives here, next to
// the code that writes it (`record`, `recordValue`) and the one that reads
// it back (`revalidate`, called by `validate`).

extension ParallelWorker {
    /// Bit 62 of a read-set descriptor (never set in a version descriptor)
    /// marks a record validated by re-evaluation, at the address in the low
    /// 48 bits (in this worker's read-set arena, immutable once published
    /// with the read-set):
    ///
    ///     check: 0, operand magnitude low, high, negative, upper low, high, answer
    ///     value: 1, value low, high, count (0xFF: absent)
    static let recordTag: UInt64 = 1 << 62
    static let checkRecord: UInt64 = 0
    static let valueRecord: UInt64 = 1

    @inline(__always)
    static func recordWords(_ descriptor: UInt64) -> UnsafeMutablePointer<UInt64> {
        MultiVersionMemory.node(descriptor & KeyTable.addressMask)
    }

    func record(_ id: UInt64, _ words: UnsafeMutablePointer<UInt64>) {
        scratch.pointee.reads.append(id)
        scratch.pointee.reads.append(ParallelWorker.recordTag | UInt64(UInt(bitPattern: words)))
    }

    func recordValue(_ id: UInt64, _ value: StateValue?) {
        let words = readSets.allocate(4)
        words[0] = ParallelWorker.valueRecord
        if let value, case .inline(let low, let high, let count) = value.storage {
            words[1] = low
            words[2] = high
            words[3] = UInt64(count)
        } else {
            precondition(value == nil, "a resolved delta chain is an inline integer")
            words[3] = 0xFF
        }
        record(id, words)
    }

    /// Whether the check or resolved value recorded at `words` still holds
    /// for `txn` (an ESTIMATE on the chain: no).
    func revalidate(_ id: UInt64, _ words: UnsafeMutablePointer<UInt64>, _ txn: UInt32) -> Bool {
        let fold = block.memory.resolve(id, by: txn)
        if fold.estimate != nil { return false }
        let value = value(of: fold, KeyTable.key(id))
        if words[0] == ParallelWorker.valueRecord {
            guard let value, case .inline(let low, let high, let count) = value.storage else { return words[3] == 0xFF }
            return words[1] == low && words[2] == high && words[3] == UInt64(count)
        }
        let operand = DeltaOperand(magnitude: UInt128(words[2]) << 64 | UInt128(words[1]), negative: words[3] != 0)
        let answer = operand.apply(to: value?.uint128Value ?? 0, upper: UInt128(words[5]) << 64 | UInt128(words[4])) != nil
        return answer == (words[6] != 0)
    }
}
