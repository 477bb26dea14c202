import Foundation
import ParallaxEthereum
import ParallaxTestSupport
import Testing

/// ethereum/tests TrieTests: trietest*.json apply `in` in order (a null value
/// deletes), trieanyorder*.json and hex_encoded_securetrie_test.json give a
/// map; `root` is the expected root of the plain or secure trie.
struct TrieFixtureTests {
    @Test(arguments: [
        ("TrieTests/trietest.json", false),
        ("TrieTests/trietest_secureTrie.json", true),
        ("TrieTests/trieanyorder.json", false),
        ("TrieTests/trieanyorder_secureTrie.json", true),
        ("TrieTests/hex_encoded_securetrie_test.json", true),
    ])
    func everyVectorHasItsRoot(file: String, secure: Bool) throws {
        let tests = try EthereumFixtures.json(file)
        #expect(!tests.isEmpty)
        for (name, body) in tests {
            let test = try #require(body as? [String: Any])
            let rootHex = try #require(test["root"] as? String)
            let expected = try #require(Bytes32(hex: rootHex))
            var state: [[UInt8]: [UInt8]] = [:]
            var updates: [(key: [UInt8], value: [UInt8])] = []
            if let ordered = test["in"] as? [[Any]] {
                for pair in ordered {
                    let key = EthereumFixtures.bytes(try #require(pair[0] as? String))
                    let value = (pair[1] as? String).map(EthereumFixtures.bytes) ?? []
                    state[key] = value.isEmpty ? nil : value
                    updates.append((key, value))
                }
            } else {
                let map = try #require(test["in"] as? [String: String])
                for (key, value) in map {
                    state[EthereumFixtures.bytes(key)] = EthereumFixtures.bytes(value)
                }
            }
            let entries = state.map { (key: $0.key, value: $0.value) }
            let root = secure ? MerklePatriciaTrie.secureRoot(entries) : MerklePatriciaTrie.root(entries)
            #expect(root == expected, "\(file) \(name)")
            // The update log itself (last write wins, empty value deletes)
            // has the same root.
            if !updates.isEmpty {
                let replayed = secure ? MerklePatriciaTrie.secureRoot(updates) : MerklePatriciaTrie.root(updates)
                #expect(replayed == expected, "\(file) \(name) as an update log")
            }
        }
    }
}

@Test func emptyTrieRoot() {
    #expect(MerklePatriciaTrie.root([]) == EmptyHashes.trieRoot)
    #expect(MerklePatriciaTrie.root([(key: [1, 2], value: [])]) == EmptyHashes.trieRoot)
    #expect(secureTrieRoot([]) == EmptyHashes.trieRoot)
}

/// The trie against a direct transcription of the Yellow Paper's appendix D
/// node function over nibble arrays (slow, set-based, no sorting tricks) on
/// seeded random sets with shared prefixes, prefix keys and long values.
@Test func randomTriesMatchTheYellowPaperDefinition() {
    var rng = SeededGenerator(seed: 0x7213_6e00)
    for round in 0..<300 {
        let count = Int.random(in: 0...40, using: &rng)
        var map: [[UInt8]: [UInt8]] = [:]
        for _ in 0..<count {
            // Few distinct byte values and short keys make shared prefixes
            // and keys that are prefixes of others common.
            let keyLength = Int.random(in: 0...4, using: &rng)
            let key = (0..<keyLength).map { _ in UInt8([0x00, 0x01, 0x10, 0x11, 0xAB, 0xFF].randomElement(using: &rng)!) }
            let valueLength = [1, 2, 31, 32, 33, 60].randomElement(using: &rng)!
            map[key] = (0..<valueLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        let entries = map.map { (key: $0.key, value: $0.value) }
        let expected = ReferenceTrie.root(entries)
        #expect(MerklePatriciaTrie.root(entries.shuffled(using: &rng)) == expected, "round \(round), seed 0x72136e00")
    }
}

/// Yellow Paper appendix D, literally: TRIE(J) = KEC(RLP(c(J, 0))).
enum ReferenceTrie {
    static func root(_ entries: [(key: [UInt8], value: [UInt8])]) -> Bytes32 {
        let set = entries.filter { !$0.value.isEmpty }.map { (nibbles: $0.key.flatMap { [$0 >> 4, $0 & 0xF] }, value: $0.value) }
        if set.isEmpty { return keccak256([0x80]) }
        return keccak256(RLP.encode(c(set, 0)))
    }

    static func n(_ set: [(nibbles: [UInt8], value: [UInt8])], _ i: Int) -> RLPItem {
        if set.isEmpty { return .bytes([]) }
        let node = c(set, i)
        let encoded = RLP.encode(node)
        return encoded.count < 32 ? node : .bytes(keccak256(encoded).bytes)
    }

    static func c(_ set: [(nibbles: [UInt8], value: [UInt8])], _ i: Int) -> RLPItem {
        if set.count == 1 {
            return .list([.bytes(hp(Array(set[0].nibbles[i...]), leaf: true)), .bytes(set[0].value)])
        }
        // Longest j such that all keys share nibbles i..<j.
        var j = i
        while set.allSatisfy({ $0.nibbles.count > j }) && Set(set.map { $0.nibbles[j] }).count == 1 { j += 1 }
        if j != i {
            return .list([.bytes(hp(Array(set[0].nibbles[i..<j]), leaf: false)), n(set, j)])
        }
        var items = (0..<16).map { digit in n(set.filter { $0.nibbles.count > i && $0.nibbles[i] == UInt8(digit) }, i + 1) }
        items.append(.bytes(set.first { $0.nibbles.count == i }?.value ?? []))
        return .list(items)
    }

    static func hp(_ nibbles: [UInt8], leaf: Bool) -> [UInt8] {
        let flag: UInt8 = leaf ? 2 : 0
        var out: [UInt8]
        var rest = nibbles[...]
        if nibbles.count % 2 == 1 {
            out = [(flag + 1) << 4 | nibbles[0]]
            rest = rest.dropFirst()
        } else {
            out = [flag << 4]
        }
        while !rest.isEmpty {
            out.append(rest.first! << 4 | rest.dropFirst().first!)
            rest = rest.dropFirst(2)
        }
        return out
    }
}

@Test func keccakBatchMatchesSingleMessages() {
    var rng = SeededGenerator(seed: 42)
    let messages = (0..<37).map { index in (0..<(index * 7 % 300)).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    #expect(keccak256Batch(messages) == messages.map { keccak256($0) })
    #expect(keccak256Batch([[], []]) == [EmptyHashes.code, EmptyHashes.code])
    #expect(keccak256Batch([]) == [])
}
