import ParallaxExecution
import ParallaxWorkloads
import XCTest

final class StateCommitmentTests: XCTestCase {
    func entries(_ count: Int, seed: UInt64) -> [(StateKey, StateValue)] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { index in
            (SyntheticWorkload.key(index), StateValue((0..<Int(generator.next() % 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }))
        }
    }

    func testIncrementalUpdatesMatchAFreshCommitment() {
        let initial = entries(200, seed: 1)
        var state = InMemoryState(Dictionary(uniqueKeysWithValues: initial))
        var generator = SplitMix64(seed: 2)
        for _ in 0..<500 {
            let key = SyntheticWorkload.key(Int(generator.next() % 300))
            state.set(key, generator.chance(0.2) ? nil : StateValue(uint64: generator.next()))
        }
        let fresh = InMemoryState(state.entries)
        XCTAssertEqual(state.commitment, fresh.commitment)
        XCTAssertEqual(state.commitment.root, fresh.commitment.root)
    }

    func testOrderDoesNotMatterButContentDoes() {
        let list = entries(100, seed: 3)
        var forward = StateCommitment()
        for (key, value) in list { forward.insert(key, value) }
        var backward = StateCommitment()
        for (key, value) in list.reversed() { backward.insert(key, value) }
        XCTAssertEqual(forward.root, backward.root)

        var changed = forward
        changed.update(list[0].0, from: list[0].1, to: StateValue(list[0].1.bytes + [0]))
        XCTAssertNotEqual(changed.root, forward.root)
        changed.update(list[0].0, from: StateValue(list[0].1.bytes + [0]), to: list[0].1)
        XCTAssertEqual(changed.root, forward.root, "undoing a change restores the root")
    }

    func testEntryHashSeparatesLengthsKeysAndLanes() {
        let key = SyntheticWorkload.key(5)
        let empty = EntryHash.hash(key, StateValue([]))
        let zero = EntryHash.hash(key, StateValue([0]))
        let eightZeros = EntryHash.hash(key, StateValue([UInt8](repeating: 0, count: 8)))
        XCTAssertFalse(empty == zero)
        XCTAssertFalse(zero == eightZeros)
        XCTAssertFalse(EntryHash.hash(SyntheticWorkload.key(6), StateValue([])) == empty)
        XCTAssertNotEqual(empty.0, empty.1, "lanes are keyed differently")
        XCTAssertNotEqual(InMemoryState().commitment.root, StateRoot(0, 0, 0, 0))
        XCTAssertEqual(InMemoryState().commitment.root.description.count, 64)
    }
}

/// `StateValue`'s two representations behave as one.
final class StateValueTests: XCTestCase {
    func testInlineAndHeapValuesAgree() {
        var generator = SplitMix64(seed: 11)
        for length in 0...40 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let value = StateValue(bytes)
            XCTAssertEqual(value.count, length)
            XCTAssertEqual(value.bytes, bytes)
            XCTAssertEqual(value.withUnsafeBytes { Array($0) }, bytes)
            XCTAssertEqual(value, StateValue(value.bytes))
            var expected: UInt64 = 0
            for (offset, byte) in bytes.prefix(8).enumerated() { expected |= UInt64(byte) << UInt64(8 * offset) }
            XCTAssertEqual(value.uint64Value, expected, "length \(length)")
            XCTAssertEqual(EntryHash.hash(SyntheticWorkload.key(1), value).0, referenceLane0(SyntheticWorkload.key(1), bytes),
                           "length \(length): the inline fast path must hash the documented message")
        }
        XCTAssertEqual(StateValue(uint64: 0x0102), StateValue([2, 1, 0, 0, 0, 0, 0, 0]))
        XCTAssertNotEqual(StateValue(uint64: 0), StateValue([]))
        XCTAssertEqual(Set([StateValue([5]), StateValue([5]), StateValue([5, 0])]).count, 2)
    }

    /// Lane 0 of `EntryHash`, written from its documentation over bytes.
    func referenceLane0(_ key: StateKey, _ bytes: [UInt8]) -> UInt64 {
        let a: UInt64 = 0x243F_6A88_85A3_08D3
        let b: UInt64 = 0xB7E1_5162_8AED_2A6A | 1
        func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let product = x.multipliedFullWidth(by: y)
            return product.high ^ product.low
        }
        var words = [key.w0, key.w1, key.w2, key.w3, UInt64(bytes.count)]
        for start in stride(from: 0, to: bytes.count, by: 8) {
            var word: UInt64 = 0
            for (offset, byte) in bytes[start..<min(start + 8, bytes.count)].enumerated() { word |= UInt64(byte) << UInt64(8 * offset) }
            words.append(word)
        }
        var state = a ^ (0xB7E1_5162_8AED_2A6A)
        for word in words { state = fold(state ^ word ^ a, b) }
        var z = fold(state ^ UInt64(40 + bytes.count) ^ b, a | 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
