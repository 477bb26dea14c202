// `parallax-evm stateroot`: the state root of a seeded Ethereum state from
// scratch and after a block's changes, on the kept trie of ParallaxTrie,
// beside the same work on one thread with the scalar Keccak kernel, the
// rebuild from scratch, and the batched kernel's own throughput on the
// same node sizes (the physical limit).

import ArgumentParser
import Foundation
import ParallaxEthereum
import ParallaxTopology
import ParallaxTrie

struct StateRootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stateroot",
        abstract: "Time the Ethereum state root: from scratch and incrementally after a block's changes.",
        discussion: """
            Builds a seeded state of --accounts accounts (the first --contracts of them hold \
            --slots storage slots between them), keyed by keccak256(address) and keccak256(slot) \
            as a client's hashed state is, and computes its root from scratch (account RLP, \
            sorted-keys build, level-by-level batched hashing). Then applies --changed \
            transfer-shaped changes (each: one account's nonce and balance, and two storage \
            slots of a contract: mostly updates, about 5% new slots and 5% deletions; the \
            block's addresses and slot numbers keccak-hashed inside the timing) and computes the root incrementally, then rebuilds the \
            post-block state from scratch and checks the two roots agree. Every phase runs \
            again on one thread with the scalar kernel, and the batched kernel alone hashes \
            the phase's node-size mix on --threads workers (the Keccak limit). Every timing \
            is the fastest of --rounds runs (a shared machine's noise only ever adds time).
            """
    )

    @Option(help: "Accounts in the state.") var accounts = 100_000
    @Option(help: "Storage slots in all, spread over the contracts.") var slots = 0
    @Option(help: "Accounts that hold the slots (contracts).") var contracts = 1
    @Option(help: "Transfer-shaped changes of the incremental block.") var changed = 1_000
    @Option(help: "Worker threads.") var threads = 2
    @Option(help: "Keccak kernel: auto (runtime dispatch), scalar, avx2, avx512.") var kernel = "auto"
    @Option(help: "Seed of the state and the changes.") var seed: UInt64 = 1
    @Option(help: "Rounds of every timed phase; the fastest is reported (the Keccak limit is a best of rounds too).")
    var rounds = 3
    @Flag(help: "One JSON object per phase.") var json = false

    func validate() throws {
        guard accounts >= 1 else { throw ValidationError("--accounts must be at least 1, got \(accounts)") }
        guard slots >= 0, changed >= 0 else { throw ValidationError("--slots and --changed must not be negative") }
        guard contracts >= 1, contracts <= accounts else {
            throw ValidationError("--contracts must be 1 to --accounts (\(accounts)), got \(contracts)")
        }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
        guard threads >= 1, threads <= 1024 else { throw ValidationError("--threads must be 1 to 1024, got \(threads)") }
        guard let choice = TrieKernel(rawValue: kernel) else {
            throw ValidationError("--kernel must be one of \(TrieKernel.allCases.map(\.rawValue).joined(separator: ", ")), got \(kernel)")
        }
        guard choice.isAvailable else { throw ValidationError("the \(kernel) Keccak kernel is not available on this CPU") }
    }

    func run() throws {
        let choice = TrieKernel(rawValue: kernel)!
        let pool = threads > 1 ? try WorkerPool(threads: threads) : nil
        defer { pool?.shutdown() }
        let fast = try TrieHasher(pool: pool, kernel: choice)
        fast.recordLengths = true
        let baseline = try TrieHasher(pool: nil, kernel: .scalar)
        var rng = SplitMix(seed)
        if !json {
            print("stateroot: \(accounts) accounts, \(slots) slots in \(min(contracts, slots == 0 ? 0 : contracts)) contracts, "
                  + "\(changed) changes, \(threads) threads, kernel \(choice == .auto ? "auto (\(TrieKernel.selectedName))" : kernel); "
                  + "\(Self.cpuFlags())")
        }

        // The seeded state (not timed: a client keeps its state hashed).
        var entries = Self.seededState(accounts: accounts, slots: slots, contracts: slots == 0 ? 0 : contracts, rng: &rng)
        let slotsPerContract = slots == 0 ? 0 : (slots + contracts - 1) / contracts

        // Scratch: the fastest of `rounds` builds each way.
        var scratchSeconds = Double.infinity, scratchScalar = Double.infinity
        var scratchNodes = 0
        var scratchLengths: [Int] = []
        var root = Bytes32.zero
        for _ in 0..<rounds {
            fast.clearMessageLengths()
            var start = Self.now()
            let state = StateTrie.build(entries, hasher: fast)
            scratchSeconds = min(scratchSeconds, Self.now() - start)
            scratchNodes = state.lastCommitNodesHashed
            scratchLengths = fast.messageLengths
            root = state.rootHash
            start = Self.now()
            let scalarState = StateTrie.build(entries, hasher: baseline)
            scratchScalar = min(scratchScalar, Self.now() - start)
            guard scalarState.rootHash == state.rootHash else {
                throw ValidationError("scratch roots differ: \(state.rootHash) vs \(scalarState.rootHash) on one scalar thread")
            }
        }
        let scratchLimit = try KeccakLimit.seconds(lengths: scratchLengths, pool: pool, kernel: choice, rounds: rounds)
        let scratchScalarLimit = try KeccakLimit.seconds(lengths: scratchLengths, pool: nil, kernel: .scalar, rounds: rounds)
        report(Phase(name: "scratch", accounts: accounts, changed: 0, threads: threads, nodes: scratchNodes,
                     seconds: scratchSeconds, scalarSeconds: scratchScalar,
                     limitNodesPerSecond: Double(scratchLengths.count) / scratchLimit,
                     scalarLimitNodesPerSecond: Double(scratchLengths.count) / scratchScalarLimit, root: root))

        // The block: transfer-shaped changes, keys hashed inside the timing,
        // each round on freshly built states (not timed).
        let block = Self.block(changes: changed, accounts: accounts, contracts: slots == 0 ? 0 : contracts,
                               slotsPerContract: slotsPerContract, rng: &rng)
        let rawBlock = Self.raw(block)
        var incrementalSeconds = Double.infinity, incrementalScalar = Double.infinity
        var incrementalNodes = 0
        var incrementalLengths: [Int] = []
        var incrementalRoot = Bytes32.zero
        for _ in 0..<rounds {
            fast.recordLengths = false
            let state = StateTrie.build(entries, hasher: fast)
            fast.recordLengths = true
            fast.clearMessageLengths()
            var start = Self.now()
            try Self.apply(block, rawBlock, to: state, entries: entries)
            incrementalRoot = try state.commit()
            incrementalSeconds = min(incrementalSeconds, Self.now() - start)
            incrementalNodes = state.lastCommitNodesHashed
            incrementalLengths = fast.messageLengths
        }
        for _ in 0..<rounds {
            let scalarState = StateTrie.build(entries, hasher: baseline)
            let start = Self.now()
            try Self.apply(block, rawBlock, to: scalarState, entries: entries)
            let scalarRoot = try scalarState.commit()
            incrementalScalar = min(incrementalScalar, Self.now() - start)
            guard scalarRoot == incrementalRoot else {
                throw ValidationError("incremental roots differ: \(incrementalRoot) vs \(scalarRoot) on one scalar thread")
            }
        }
        // The rebuild of the post-block state from scratch.
        Self.applyToEntries(block, &entries)
        fast.recordLengths = false
        var rebuildSeconds = Double.infinity
        for _ in 0..<rounds {
            let start = Self.now()
            let rebuilt = StateTrie.build(entries, hasher: fast)
            rebuildSeconds = min(rebuildSeconds, Self.now() - start)
            guard rebuilt.rootHash == incrementalRoot else {
                throw ValidationError("the incremental root \(incrementalRoot) differs from the rebuilt \(rebuilt.rootHash) (seed \(seed))")
            }
        }
        let incrementalLimit = try KeccakLimit.seconds(lengths: incrementalLengths, pool: pool, kernel: choice, rounds: max(5, rounds))
        let incrementalScalarLimit = try KeccakLimit.seconds(lengths: incrementalLengths, pool: nil, kernel: .scalar, rounds: max(5, rounds))
        report(Phase(name: "incremental", accounts: accounts, changed: changed, threads: threads, nodes: incrementalNodes,
                     seconds: incrementalSeconds, scalarSeconds: incrementalScalar,
                     limitNodesPerSecond: Double(incrementalLengths.count) / incrementalLimit,
                     scalarLimitNodesPerSecond: Double(incrementalLengths.count) / incrementalScalarLimit, root: incrementalRoot,
                     rebuildSeconds: rebuildSeconds))
    }

    struct Phase {
        var name: String
        var accounts: Int
        var changed: Int
        var threads: Int
        var nodes: Int
        var seconds: Double
        var scalarSeconds: Double
        var limitNodesPerSecond: Double
        /// The scalar kernel alone on one thread, same mix: the ceiling of speedup_vs_scalar is the ratio of the two limits.
        var scalarLimitNodesPerSecond: Double
        var root: Bytes32
        var rebuildSeconds: Double? = nil
    }

    func report(_ p: Phase) {
        let rate = Double(p.nodes) / p.seconds
        if json {
            var line = "{\"phase\":\"\(p.name)\",\"accounts\":\(p.accounts),\"changed\":\(p.changed),\"threads\":\(p.threads),"
            line += "\"nodes\":\(p.nodes),\"seconds\":\(p.seconds),\"nodes_per_sec\":\(rate),"
            line += "\"scalar_1thread_seconds\":\(p.scalarSeconds),\"speedup_vs_scalar\":\(p.scalarSeconds / p.seconds),"
            line += "\"keccak_limit_nodes_per_sec\":\(p.limitNodesPerSecond),\"fraction_of_limit\":\(rate / p.limitNodesPerSecond),"
            line += "\"keccak_limit_scalar_1thread_nodes_per_sec\":\(p.scalarLimitNodesPerSecond)"
            if let rebuild = p.rebuildSeconds {
                line += ",\"rebuild_seconds\":\(rebuild),\"speedup_vs_rebuild\":\(rebuild / p.seconds)"
            }
            line += ",\"root\":\"\(p.root)\"}"
            print(line)
        } else {
            func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
            var line = "\(p.name): \(p.nodes) nodes in \(f(p.seconds, 4)) s = \(f(rate / 1e6, 3)) M nodes/s; "
            line += "1 thread scalar \(f(p.scalarSeconds, 4)) s (x\(f(p.scalarSeconds / p.seconds, 2))); "
            line += "Keccak limit \(f(p.limitNodesPerSecond / 1e6, 3)) M nodes/s (\(f(100 * rate / p.limitNodesPerSecond, 1))% of it; "
            line += "scalar 1 thread \(f(p.scalarLimitNodesPerSecond / 1e6, 3)) M nodes/s)"
            if let rebuild = p.rebuildSeconds { line += "; rebuild \(f(rebuild, 4)) s (x\(f(rebuild / p.seconds, 1)))" }
            print(line)
            print("  root \(p.root)")
        }
    }

    // MARK: The seeded state and block

    struct Change {
        var account: Int
        var contract: Int
        var slots: [(index: Int, value: UInt256)]
    }

    static func address(_ index: Int) -> [UInt8] {
        var rng = SplitMix(0xADD7_E550_0000_0000 ^ UInt64(index))
        return (0..<20).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    static func slotKey(_ index: Int) -> [UInt8] { UInt256(UInt64(index)).bigEndianBytes }

    static func hashed(_ keys: [[UInt8]]) -> [Bytes32] {
        var out: [Bytes32] = []
        out.reserveCapacity(keys.count)
        var start = 0
        while start < keys.count {
            let end = min(start + 65_536, keys.count)
            out += keccak256Batch(Array(keys[start..<end]))
            start = end
        }
        return out
    }

    static func seededState(accounts: Int, slots: Int, contracts: Int, rng: inout SplitMix) -> [StateTrie.Entry] {
        let keys = hashed((0..<accounts).map(address))
        let perContract = contracts == 0 ? 0 : (slots + contracts - 1) / contracts
        let slotKeys = hashed((0..<perContract).map(slotKey))
        var entries: [StateTrie.Entry] = []
        entries.reserveCapacity(accounts)
        for index in 0..<accounts {
            var account = StateTrie.Account(nonce: rng.next() % 1000, balance: UInt256(rng.next() >> 8))
            var storage: [(hashedSlot: Bytes32, value: UInt256)] = []
            if index < contracts {
                account.codeHash = keccak256(address(index) + [0xC0])
                let count = min(perContract, slots - index * perContract)
                storage.reserveCapacity(max(0, count))
                for slot in 0..<max(0, count) { storage.append((slotKeys[slot], UInt256(1 + rng.next() % 1_000_000_000))) }
            }
            entries.append(StateTrie.Entry(hashedAddress: keys[index], account: account, storage: storage))
        }
        return entries
    }

    static func block(changes: Int, accounts: Int, contracts: Int, slotsPerContract: Int, rng: inout SplitMix) -> [Change] {
        (0..<changes).map { _ in
            let account = Int(rng.next() % UInt64(accounts))
            guard contracts > 0, slotsPerContract > 0 else { return Change(account: account, contract: -1, slots: []) }
            let contract = Int(rng.next() % UInt64(contracts))
            let slots = (0..<2).map { _ -> (Int, UInt256) in
                let roll = rng.next() % 100
                if roll < 5 { return (slotsPerContract + Int(rng.next() % UInt64(slotsPerContract)), UInt256(1 + rng.next() % 1000)) }
                if roll < 10 { return (Int(rng.next() % UInt64(slotsPerContract)), UInt256(0)) }
                return (Int(rng.next() % UInt64(slotsPerContract)), UInt256(1 + rng.next() % 1_000_000_000))
            }
            return Change(account: account, contract: contract, slots: slots)
        }
    }

    /// The block as a client receives it: addresses and slot numbers (not hashed).
    struct RawBlock {
        var addresses: [[UInt8]]
        var contracts: [[UInt8]]
        var slots: [[UInt8]]
    }

    static func raw(_ block: [Change]) -> RawBlock {
        RawBlock(addresses: block.map { address($0.account) },
                 contracts: block.filter { $0.contract >= 0 }.map { address($0.contract) },
                 slots: block.flatMap { $0.slots.map { slotKey($0.index) } })
    }

    /// The block's changes on a kept state: keys hashed (one batch each), accounts and slots written.
    static func apply(_ block: [Change], _ raw: RawBlock, to state: StateTrie, entries: [StateTrie.Entry]) throws {
        let addressKeys = keccak256Batch(raw.addresses)
        let contractKeys = keccak256Batch(raw.contracts)
        let slotKeys = keccak256Batch(raw.slots)
        var nonces: [Int: UInt64] = [:]
        var slotAt = 0
        var contractAt = 0
        for (position, change) in block.enumerated() {
            var account = entries[change.account].account
            let nonce = (nonces[change.account] ?? account.nonce) + 1
            nonces[change.account] = nonce
            account.nonce = nonce
            account.balance = UInt256(UInt64(change.account) &* 31 &+ nonce)
            state.setAccount(addressKeys[position], account)
            if change.contract >= 0 {
                for slot in change.slots {
                    state.setStorage(contractKeys[contractAt], slot: slotKeys[slotAt], value: slot.value)
                    slotAt += 1
                }
                contractAt += 1
            }
        }
    }

    /// The same changes on the plain entries (for the rebuild).
    static func applyToEntries(_ block: [Change], _ entries: inout [StateTrie.Entry]) {
        var slotMaps: [Int: [Bytes32: UInt256]] = [:]
        for change in block {
            entries[change.account].account.nonce += 1
            let nonce = entries[change.account].account.nonce
            entries[change.account].account.balance = UInt256(UInt64(change.account) &* 31 &+ nonce)
            if change.contract >= 0 {
                if slotMaps[change.contract] == nil {
                    var map: [Bytes32: UInt256] = [:]
                    for (key, value) in entries[change.contract].storage { map[key] = value }
                    slotMaps[change.contract] = map
                }
                for slot in change.slots { slotMaps[change.contract]![keccak256(slotKey(slot.index))] = slot.value }
            }
        }
        for (contract, map) in slotMaps {
            entries[contract].storage = map.filter { !$0.value.isZero }.map { (hashedSlot: $0.key, value: $0.value) }
        }
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func cpuFlags() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ").map(String.init)) } ?? []
        let shown = ["avx2", "bmi2", "adx", "sha_ni", "avx512f"].filter { flags.contains($0) }
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }.map { $0.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? ""
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) CPUs, flags: " + shown.joined(separator: " ")
    }
}

/// SplitMix64, the tool's seeded generator.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
