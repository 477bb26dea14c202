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
