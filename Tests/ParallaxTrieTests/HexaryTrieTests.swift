import Foundation
import ParallaxEthereum
import ParallaxTestSupport
import ParallaxTopology
import ParallaxTrie
import Testing

/// Random keys over few byte values and short lengths: shared prefixes,
/// keys that are prefixes of others, inline nodes (short values).
private func randomKey(_ rng: inout SeededGenerator, maxLength: Int = 4) -> [UInt8] {
    let length = Int.random(in: 0...maxLength, using: &rng)
    return (0..<length).map { _ in [0x00, 0x01, 0x10, 0x11, 0xAB, 0xFF].randomElement(using: &rng)! }
}

private func randomValue(_ rng: inout SeededGenerator) -> [UInt8] {
    let length = [1, 2, 3, 31, 32, 33, 60].randomElement(using: &rng)!
    return (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// The kept trie, updated and deleted in random order and hashed at random
/// points, against the plain reference trie rebuilt from the map each time.
@Test func incrementalRootsMatchTheReferenceTrie() throws {
    var rng = SeededGenerator.fromEnvironment()
    let seed = rng.seed
    let hasher = try TrieHasher(pool: nil)
    for round in 0..<60 {
        let trie = HexaryTrie()
        var map: [[UInt8]: [UInt8]] = [:]
        for step in 0..<Int.random(in: 1...80, using: &rng) {
            let key = randomKey(&rng)
            if !map.isEmpty && Bool.random(using: &rng) && Int.random(in: 0..<3, using: &rng) == 0 {
                // Delete a present key (collapses branches into extensions and leaves).
                let victim = map.keys.randomElement(using: &rng)!
                map[victim] = nil
                try trie.update(key: victim, value: [])
            } else {
                let value = randomValue(&rng)
                map[key] = value
                try trie.update(key: key, value: value)
            }
            #expect(trie.count == map.count, "seed \(seed) round \(round) step \(step): count")
            if Int.random(in: 0..<4, using: &rng) == 0 || step == 0 {
                let expected = MerklePatriciaTrie.root(map.map { (key: $0.key, value: $0.value) })
                let got = hasher.hash([trie])[0]
                #expect(got == expected, "seed \(seed) round \(round) step \(step): incremental root")
                if got != expected { return }
            }
        }
        // Delete everything: back to the empty root.
        for key in map.keys.shuffled(using: &rng) { try trie.update(key: key, value: []) }
        #expect(hasher.hash([trie])[0] == EmptyHashes.trieRoot, "seed \(seed) round \(round): emptied")
        #expect(trie.nodeCount == 0)
    }
}

@Test func emptyAndSingleLeafTries() throws {
    let hasher = try TrieHasher(pool: nil)
    let trie = HexaryTrie()
    #expect(hasher.hash([trie]) == [EmptyHashes.trieRoot])
    // A single short leaf: its RLP is under 32 bytes and the root hashes it.
    try trie.update(key: [0x01], value: [0x02])
    #expect(hasher.hash([trie])[0] == MerklePatriciaTrie.root([(key: [0x01], value: [0x02])]))
    #expect(trie.value(forKey: [0x01]) == [0x02])
    #expect(trie.value(forKey: [0x02]) == nil)
    #expect(trie.delete(key: UnsafeRawBufferPointer(start: nil, count: 0)) == false)
    try trie.update(key: [0x01], value: [])
    #expect(hasher.hash([trie]) == [EmptyHashes.trieRoot])
    #expect(throws: TrieError.keyTooLong(HexaryTrie.maximumKeyLength + 1)) {
        try trie.update(key: [UInt8](repeating: 1, count: HexaryTrie.maximumKeyLength + 1), value: [1])
    }
}

/// Secure (32-byte) keys: the sorted-keys build, inserts one by one, and the
/// reference trie agree; random change sets (updates, inserts, deletes)
/// hashed incrementally on a two-thread pool (tries split into subtries)
/// equal the root rebuilt from scratch.
@Test func secureIncrementalRootsEqualRebuilds() throws {
    var rng = SeededGenerator.fromEnvironment()
    let seed = rng.seed
    let pool = try WorkerPool(threads: 2)
    defer { pool.shutdown() }
    let parallel = try TrieHasher(pool: pool)
    parallel.splitNodes = 64
    let single = try TrieHasher(pool: nil, kernel: .scalar)
    for round in 0..<6 {
        let count = [1, 2, 17, 300, 3000][round % 5]
        var map: [Bytes32: [UInt8]] = [:]
        for _ in 0..<count {
            map[Bytes32(bytes: rng.bytes(32))!] = rng.bytes(Int.random(in: 1...40, using: &rng))
        }
        var batch = TrieEntryBatch()
        for (key, value) in map { batch.append(key: key, value: value) }
        let built = HexaryTrie.build(batch)
        let inserted = HexaryTrie()
        for (key, value) in map { try inserted.update(key: key.bytes, value: value) }
        let reference = MerklePatriciaTrie.root(map.map { (key: $0.key.bytes, value: $0.value) })
        #expect(parallel.hash([built])[0] == reference, "seed \(seed) round \(round): built")
        #expect(single.hash([inserted])[0] == reference, "seed \(seed) round \(round): inserted")
        for block in 0..<4 {
            let keys = Array(map.keys)
            for _ in 0..<Int.random(in: 1...max(1, count / 4), using: &rng) {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where !keys.isEmpty:
                    let key = keys.randomElement(using: &rng)!
                    map[key] = nil
                    try built.update(key: key.bytes, value: [])
                case 1 where !keys.isEmpty:
                    let key = keys.randomElement(using: &rng)!
                    let value = rng.bytes(Int.random(in: 1...40, using: &rng))
                    map[key] = value
                    try built.update(key: key.bytes, value: value)
                default:
                    let key = Bytes32(bytes: rng.bytes(32))!
                    let value = rng.bytes(Int.random(in: 1...40, using: &rng))
                    map[key] = value
                    try built.update(key: key.bytes, value: value)
                }
            }
            var rebuiltBatch = TrieEntryBatch()
            for (key, value) in map { rebuiltBatch.append(key: key, value: value) }
            let rebuilt = single.hash([HexaryTrie.build(rebuiltBatch)])[0]
            let incremental = parallel.hash([built])[0]
            #expect(incremental == rebuilt, "seed \(seed) round \(round) block \(block): incremental vs rebuilt")
            #expect(built.count == map.count)
        }
    }
}

/// The sorted-keys build keeps the last of equal keys and drops empty values.
@Test func buildKeepsTheLastOfEqualKeys() throws {
    let a = Bytes32(w0: 1, w1: 2, w2: 3, w3: 4), b = Bytes32(w0: 1, w1: 2, w2: 3, w3: 5)
    var batch = TrieEntryBatch()
    batch.append(key: a, value: [1])
    batch.append(key: b, value: [2])
    batch.append(key: a, value: [3])
    batch.append(key: b, value: [UInt8]())
    let trie = HexaryTrie.build(batch)
    #expect(trie.count == 1)
    #expect(try TrieHasher(pool: nil).hash([trie])[0] == MerklePatriciaTrie.root([(key: a.bytes, value: [3])]))
}

/// PyPI's `trie` (py-trie's HexaryTrie) on the same operation logs: random
/// byte keys of mixed lengths with deletes, and secure-style 32-byte keys.
@Test func rootsMatchPyTrie() throws {
    var rng = SeededGenerator.fromEnvironment()
    let seed = rng.seed
    var cases: [[(key: [UInt8], value: [UInt8]?)]] = [[]]
    for index in 0..<40 {
        var ops: [(key: [UInt8], value: [UInt8]?)] = []
        var live: [[UInt8]] = []
        for _ in 0..<Int.random(in: 1...60, using: &rng) {
            if !live.isEmpty && Int.random(in: 0..<4, using: &rng) == 0 {
                let key = live.remove(at: Int.random(in: 0..<live.count, using: &rng))
                ops.append((key, nil))
            } else {
                let key = index % 2 == 0 ? randomKey(&rng, maxLength: 6) : rng.bytes(32)
                ops.append((key, randomValue(&rng)))
                live.append(key)
            }
        }
        cases.append(ops)
    }
    let hasher = try TrieHasher(pool: nil)
    var ours: [Bytes32] = []
    for ops in cases {
        let trie = HexaryTrie()
        for op in ops { try trie.update(key: op.key, value: op.value ?? []) }
        ours.append(hasher.hash([trie])[0])
    }
    let theirs = try PyTrie.roots(cases)
    try #require(theirs.count == ours.count, "hexary_trie_reference.py gave \(theirs.count) roots for \(ours.count) cases")
    for (index, (mine, reference)) in zip(ours, theirs).enumerated() {
        #expect(mine.description == "0x" + reference, "seed \(seed) case \(index): py-trie says 0x\(reference), we say \(mine)")
    }
}

enum PyTrie {
    static func roots(_ cases: [[(key: [UInt8], value: [UInt8]?)]]) throws -> [String] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("hexary_trie_reference.py")
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        let request: [String: Any] = ["cases": cases.map { ops in ops.map { [hex($0.key), $0.value.map(hex) as Any? ?? NSNull()] } }]
        let input = try JSONSerialization.data(withJSONObject: request)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "hexary_trie_reference.py failed (is PyPI's trie installed? scripts/install-python-deps.sh)")
        let object = try JSONSerialization.jsonObject(with: output) as? [String: Any]
        return object?["roots"] as? [String] ?? []
    }
}

/// The parallel build (the root's 16 subtries built at once into reserved
/// regions, the entries filled in shares) gives the sequential build's
/// trie, and the trie keeps working under updates afterwards.
@Test func parallelBuildEqualsSequentialBuild() throws {
    var rng = SeededGenerator.fromEnvironment()
    let seed = rng.seed
    let pool = try WorkerPool(threads: 2)
    defer { pool.shutdown() }
    var batch = TrieEntryBatch()
    var copy = TrieEntryBatch()
    var keys: [Bytes32] = []
    for _ in 0..<20_000 {
        let key = Bytes32(bytes: rng.bytes(32))!
        let value = rng.bytes(Int.random(in: 1...90, using: &rng))
        batch.append(key: key, value: value)
        copy.append(key: key, value: value)
        keys.append(key)
    }
    let parallel = HexaryTrie.build(batch, pool: pool)
    let sequential = HexaryTrie.build(copy)
    let hasher = try TrieHasher(pool: pool)
    #expect(hasher.hash([parallel]) == hasher.hash([sequential]), "seed \(seed)")
    #expect(parallel.nodeCount == sequential.nodeCount)
    for key in keys.prefix(500) {
        let value = rng.bytes(Int.random(in: 0...40, using: &rng))
        try parallel.update(key: key.bytes, value: value)
        try sequential.update(key: key.bytes, value: value)
    }
    #expect(hasher.hash([parallel]) == hasher.hash([sequential]), "seed \(seed): after updates")
}
