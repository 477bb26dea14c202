import Foundation
import ParallaxEthereum
import ParallaxExecution
import ParallaxState
import ParallaxTestSupport
import ParallaxTopology
import ParallaxTrie
import Testing

/// ethereum/tests TrieTests on the kept trie: each vector's operations
/// applied in order as updates and deletes (hashing after every step for the
/// ordered ones), the final root against the vector's.
@Test(arguments: [
    ("TrieTests/trietest.json", false),
    ("TrieTests/trietest_secureTrie.json", true),
    ("TrieTests/trieanyorder.json", false),
    ("TrieTests/trieanyorder_secureTrie.json", true),
    ("TrieTests/hex_encoded_securetrie_test.json", true),
])
func trieTestsVectors(file: String, secure: Bool) throws {
    let tests = try TrieFixtures.json(file)
    #expect(!tests.isEmpty)
    let hasher = try TrieHasher(pool: nil)
    for (name, body) in tests {
        let test = try #require(body as? [String: Any])
        let rootHex = try #require(test["root"] as? String)
        let expected = try #require(Bytes32(hex: rootHex))
        var operations: [(key: [UInt8], value: [UInt8])] = []
        if let ordered = test["in"] as? [[Any]] {
            for pair in ordered {
                let key = TrieFixtures.bytes(try #require(pair[0] as? String))
                operations.append((key, (pair[1] as? String).map(TrieFixtures.bytes) ?? []))
            }
        } else {
            let map = try #require(test["in"] as? [String: String])
            for (key, value) in map { operations.append((TrieFixtures.bytes(key), TrieFixtures.bytes(value))) }
        }
        let trie = HexaryTrie()
        for operation in operations {
            let key = secure ? keccak256(operation.key).bytes : operation.key
            try trie.update(key: key, value: operation.value)
            _ = hasher.hash([trie])
        }
        #expect(hasher.hash([trie])[0] == expected, "\(file) \(name)")
    }
}

/// Random Ethereum states: the kept state trie (built from scratch, then
/// changed block by block: balances, new and deleted slots, new and deleted
/// accounts) against WorldStateRoot, the reference the state tests use.
@Test func stateTrieMatchesWorldStateRoot() throws {
    var rng = SeededGenerator.fromEnvironment()
    let seed = rng.seed
    let pool = try WorkerPool(threads: 2)
    defer { pool.shutdown() }
    let hasher = try TrieHasher(pool: pool)
    hasher.splitNodes = 32
    var world: [Address: WorldStateRoot.Account] = [:]
    func randomAddress() -> Address { Address(bytes: rng.bytes(20))! }
    for _ in 0..<200 {
        var account = WorldStateRoot.Account(nonce: rng.next() % 5, balance: UInt256(rng.next() % 1_000_000))
        if rng.next() % 4 == 0 {
            account.code = rng.bytes(10)
            for _ in 0..<Int(rng.next() % 40) { account.storage[UInt256(rng.next() % 64)] = UInt256(rng.next() % 1000) }
        }
        world[randomAddress()] = account
    }
    func entries() -> [StateTrie.Entry] {
        world.map { address, account in
            StateTrie.Entry(
                hashedAddress: keccak256(address.bytes),
                account: StateTrie.Account(nonce: account.nonce, balance: account.balance,
                                           codeHash: account.code.isEmpty ? EmptyHashes.code : keccak256(account.code)),
                storage: account.storage.map { (hashedSlot: keccak256($0.key.bigEndianBytes), value: $0.value) })
        }
    }
    let state = StateTrie.build(entries(), hasher: hasher)
    #expect(state.rootHash == WorldStateRoot.compute(accounts: world), "seed \(seed): scratch")
    for block in 0..<8 {
        for _ in 0..<Int(rng.next() % 30 + 1) {
            let roll = rng.next() % 10
            if roll == 0 || world.isEmpty {
                let address = randomAddress()
                world[address] = WorldStateRoot.Account(nonce: 1, balance: UInt256(rng.next() % 100))
                state.setAccount(keccak256(address.bytes), StateTrie.Account(nonce: 1, balance: world[address]!.balance))
            } else if roll == 1 {
                let address = world.keys.randomElement(using: &rng)!
                world[address] = nil
                state.deleteAccount(keccak256(address.bytes))
            } else if roll < 6 {
                let address = world.keys.randomElement(using: &rng)!
                world[address]!.balance = UInt256(rng.next() % 1_000_000)
                world[address]!.nonce += 1
                let account = world[address]!
                state.setAccount(keccak256(address.bytes), StateTrie.Account(
                    nonce: account.nonce, balance: account.balance,
                    codeHash: account.code.isEmpty ? EmptyHashes.code : keccak256(account.code)))
            } else {
                let address = world.keys.randomElement(using: &rng)!
                let slot = UInt256(rng.next() % 64)
                let value = rng.next() % 3 == 0 ? UInt256(0) : UInt256(rng.next() % 1000)
                world[address]!.storage[slot] = value.isZero ? nil : value
                state.setStorage(keccak256(address.bytes), slot: keccak256(slot.bigEndianBytes), value: value)
            }
        }
        let root = try state.commit()
        #expect(root == WorldStateRoot.compute(accounts: world), "seed \(seed) block \(block)")
        #expect(root == StateTrie.build(entries(), hasher: hasher).rootHash, "seed \(seed) block \(block): rebuilt")
    }
}

@Test func storageForAMissingAccountIsRefused() throws {
    let state = StateTrie(hasher: try TrieHasher(pool: nil))
    let owner = keccak256([1])
    state.setStorage(owner, slot: keccak256([2]), value: UInt256(7))
    #expect(throws: TrieError.missingAccount(owner)) { try state.commit() }
}

/// The nodes of every commit written to a state store (in memory and LMDB),
/// the state loaded back from its root alone, and the loaded state changed
/// further: the same roots as the state that never left memory.
@Test(arguments: ["memory", "lmdb"])
func nodesSurviveAStateStore(kind: String) throws {
    var rng = SeededGenerator.fromEnvironment()
    let seed = rng.seed
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("px-trie-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store: any StateStore = kind == "lmdb"
        ? try LMDBStateStore(path: directory.path, mapSize: 1 << 28, durable: false)
        : InMemoryStateStore()
    let hasher = try TrieHasher(pool: nil)
    hasher.recordNodes = true
    var entries: [StateTrie.Entry] = []
    for index in 0..<300 {
        var entry = StateTrie.Entry(hashedAddress: keccak256(rng.bytes(20)),
                                    account: StateTrie.Account(nonce: UInt64(index), balance: UInt256(rng.next())))
        if index % 10 == 0 {
            entry.storage = (0..<Int(rng.next() % 50 + 1)).map { _ in (keccak256(rng.bytes(32)), UInt256(rng.next() % 100 + 1)) }
        }
        entries.append(entry)
    }
    let state = StateTrie.build(entries, hasher: hasher)
    try TrieNodeStore.write(state.lastCommitNodes, root: state.rootHash, to: store)
    for block in 0..<3 {
        for _ in 0..<20 {
            let entry = entries.randomElement(using: &rng)!
            state.setAccount(entry.hashedAddress, StateTrie.Account(nonce: rng.next() % 100, balance: UInt256(rng.next())))
            if !entry.storage.isEmpty {
                state.setStorage(entry.hashedAddress, slot: entry.storage.randomElement(using: &rng)!.hashedSlot,
                                 value: UInt256(rng.next() % 2 == 0 ? 0 : rng.next() % 100))
            }
        }
        let root = try state.commit()
        try TrieNodeStore.write(state.lastCommitNodes, root: root, to: store)
        #expect(TrieNodeStore.storedRoot(in: store) == root, "seed \(seed) block \(block)")
    }
    let storedRoot = try #require(TrieNodeStore.storedRoot(in: store))
    let loaded = try TrieNodeStore.loadState(root: storedRoot, from: store, hasher: try TrieHasher(pool: nil))
    #expect(loaded.rootHash == state.rootHash)
    #expect(loaded.accounts.count == state.accounts.count)
    // The same further block on both: the same root.
    for _ in 0..<30 {
        let entry = entries.randomElement(using: &rng)!
        let account = StateTrie.Account(nonce: rng.next() % 100, balance: UInt256(rng.next()))
        state.setAccount(entry.hashedAddress, account)
        loaded.setAccount(entry.hashedAddress, account)
        if !entry.storage.isEmpty {
            let slot = entry.storage.randomElement(using: &rng)!.hashedSlot
            let value = UInt256(rng.next() % 100)
            state.setStorage(entry.hashedAddress, slot: slot, value: value)
            loaded.setStorage(entry.hashedAddress, slot: slot, value: value)
        }
    }
    let expected = try state.commit()
    #expect(try loaded.commit() == expected, "seed \(seed): loaded state after a further block")
    // A node the store lacks is named.
    let missing = keccak256([9, 9, 9])
    #expect(throws: TrieError.missingNode(missing)) { _ = try TrieNodeStore.loadTrie(root: missing, from: store) }
}

/// The ethereum/tests TrieTests vectors (Tests/Fixtures/TrieTests-RLPTests.tar.xz),
/// unpacked once per test process.
enum TrieFixtures {
    static let root: URL = {
        let archive = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/TrieTests-RLPTests.tar.xz")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("parallax-trie-fixtures-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: directory)
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xJf", archive.path, "-C", directory.path]
        try! tar.run()
        tar.waitUntilExit()
        precondition(tar.terminationStatus == 0, "tar failed on \(archive.path)")
        return directory
    }()

    static func json(_ relativePath: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(relativePath))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// "0x..." is hex, anything else the string's UTF-8.
    static func bytes(_ text: String) -> [UInt8] {
        guard text.hasPrefix("0x") else { return Array(text.utf8) }
        var digits = Array(text.utf8.dropFirst(2))
        if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
        func value(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: c - UInt8(ascii: "A") + 10
            }
        }
        return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }
}
