// The block executor on hand-made and real blocks: the mainnet fork
// schedule, receipts and blooms, rewards and withdrawals, sender recovery
// (a Frontier transaction signed without EIP-155), and the typed errors.

import ParallaxEVM
import ParallaxEthereum
@testable import ParallaxEthereumBlocks
import ParallaxExecution
import ParallaxTestSupport
import Testing

/// A header for tests: only the fields execution reads matter.
func testHeader(number: UInt64, timestamp: UInt64, coinbase: Address, gasLimit: UInt64 = 1_000_000_000,
                baseFee: UInt256? = UInt256(7)) -> EthereumBlockHeader {
    EthereumBlockHeader(
        number: number, timestamp: timestamp, coinbase: coinbase, gasLimit: gasLimit, gasUsed: 0, baseFee: baseFee,
        difficulty: .zero, mixHash: .zero, blobGasUsed: 0, excessBlobGas: 0, parentBeaconBlockRoot: Bytes32(word: UInt256(0xBEAC)),
        receiptsRoot: EmptyHashes.trieRoot, logsBloom: LogsBloom())
}

func ether(_ n: UInt64) -> UInt256 { UInt256(n) &* UInt256(1_000_000_000_000_000_000 as UInt64) }

@Suite struct ChainConfigTests {
    @Test func mainnetForksStartAtTheirFirstBlocks() {
        let chain = EthereumChainConfig.mainnet
        let boundaries: [(UInt64, Fork)] = [
            (1_150_000, .homestead), (2_463_000, .tangerineWhistle), (2_675_000, .spuriousDragon), (4_370_000, .byzantium),
            (7_280_000, .petersburg), (9_069_000, .istanbul), (12_244_000, .berlin), (12_965_000, .london),
            (15_537_394, .paris),
        ]
        var previous = Fork.frontier
        for (first, fork) in boundaries {
            // Timestamps before Shanghai, so only numbers decide.
            #expect(chain.fork(number: first - 1, timestamp: 1_600_000_000) == previous, "block \(first - 1)")
            #expect(chain.fork(number: first, timestamp: 1_600_000_000) == fork, "block \(first)")
            previous = fork
        }
        #expect(chain.fork(number: 17_034_869, timestamp: 1_681_338_454) == .paris)
        #expect(chain.fork(number: 17_034_870, timestamp: 1_681_338_455) == .shanghai)
        #expect(chain.fork(number: 19_426_586, timestamp: 1_710_338_134) == .shanghai)
        #expect(chain.fork(number: 19_426_587, timestamp: 1_710_338_135) == .cancun)
        // A Shanghai timestamp on a proof-of-work block number does not make it Shanghai.
        #expect(chain.fork(number: 15_000_000, timestamp: 1_700_000_000) == .london)
    }

    @Test func rewardsFollowTheForks() {
        #expect(EthereumChainConfig.blockReward(.frontier) == ether(5))
        #expect(EthereumChainConfig.blockReward(.byzantium) == ether(3))
        #expect(EthereumChainConfig.blockReward(.petersburg) == ether(2))
        #expect(EthereumChainConfig.blockReward(.london) == ether(2))
        #expect(EthereumChainConfig.blockReward(.paris) == .zero)
    }

    @Test func daoDrainListHasEveryAccountOnce() {
        #expect(DAOFork.drainList.count == 116)
        #expect(Set(DAOFork.drainList).count == 116)
        #expect(!DAOFork.drainList.contains(DAOFork.refundContract))
    }
}

@Suite struct ReceiptTests {
    @Test func bloomSetsThreeBitsPerItemAndUnionsContainBoth() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            let log = Log(address: rng.address(), topics: (0..<Int(rng.next() % 5)).map { _ in rng.bytes32() }, data: [])
            let bloom = LogsBloom(logs: [log])
            let bits = bloom.bytes.reduce(0) { $0 + $1.nonzeroBitCount }
            #expect(bits >= 1 && bits <= 3 * (1 + log.topics.count))
            let other = LogsBloom(logs: [Log(address: rng.address(), topics: [], data: [1])])
            var union = bloom
            union.formUnion(other)
            for index in 0..<LogsBloom.byteCount {
                #expect(union.bytes[index] & bloom.bytes[index] == bloom.bytes[index])
                #expect(union.bytes[index] & other.bytes[index] == other.bytes[index])
            }
        }
        #expect(LogsBloom(logs: []) == LogsBloom())
        #expect(LogsBloom(bytes: [UInt8](repeating: 0, count: 255)) == nil)
    }

    @Test func bloomBitsAreTheLowElevenBitsOfTheHashPairs() {
        let log = Log(address: Address(hi: 0, mid: 0, lo: 0xABCDEF), topics: [], data: [])
        let hash = keccak256(log.address.bytes).bytes
        var expected = [UInt8](repeating: 0, count: 256)
        for pair in [0, 2, 4] {
            let bit = (Int(hash[pair]) << 8 | Int(hash[pair + 1])) % 2048
            expected[255 - bit / 8] |= 1 << (bit % 8)
        }
        #expect(LogsBloom(logs: [log]).bytes == expected)
    }

    @Test func encodingsFollowTheEnvelope() throws {
        let log = Log(address: Address(hi: 1, mid: 2, lo: 3), topics: [Bytes32(word: UInt256(9))], data: [1, 2, 3])
        let legacy = Receipt(type: .legacy, outcome: .status(true), cumulativeGasUsed: 21000, gasUsed: 21000, logs: [log])
        let typed = Receipt(type: .dynamicFee, outcome: .status(true), cumulativeGasUsed: 21000, gasUsed: 21000, logs: [log])
        let failed = Receipt(type: .legacy, outcome: .status(false), cumulativeGasUsed: 21000, gasUsed: 21000, logs: [])
        let legacyBytes = try #require(legacy.encoded)
        #expect(typed.encoded == [2] + legacyBytes)
        let decoded = try RLP.decode(legacyBytes)
        guard case .list(let fields) = decoded else { Issue.record("not a list"); return }
        #expect(fields.count == 4)
        #expect(fields[0] == .bytes([1]))
        #expect(fields[1] == .bytes([0x52, 0x08]))
        #expect(fields[2] == .bytes(LogsBloom(logs: [log]).bytes))
        guard case .list(let failedFields) = try RLP.decode(try #require(failed.encoded)) else { Issue.record("not a list"); return }
        #expect(failedFields[0] == .bytes([]))
        // Before Byzantium with the state root unknown: no encoding, no root.
        let unknown = Receipt(type: .legacy, outcome: .stateRoot(nil), cumulativeGasUsed: 1, gasUsed: 1, logs: [])
        #expect(unknown.encoded == nil)
        #expect(Receipt.root(of: [legacy, unknown]) == nil)
        #expect(Receipt.root(of: []) == EmptyHashes.trieRoot)
        #expect(Receipt.root(of: [legacy]) == MerklePatriciaTrie.root([(key: [0x80], value: legacyBytes)]))
        // The receipt's own log encoding is Log.appendRLP's, for any topic count and data length.
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<40 {
            let log = Log(address: rng.address(), topics: (0..<rng.below(5)).map { _ in rng.bytes32() },
                          data: rng.bytes([0, 1, 1, 55, 56, 300][rng.below(6)]))
            var fast = [UInt8]()
            Receipt.append(log, to: &fast)
            #expect(fast == log.rlp)
        }
    }
}

@Suite struct BlockExecutorTests {
    /// Mainnet block 46,147 (Frontier): its one transaction, signed without
    /// EIP-155 (v = 28), and the two accounts it touches.
    static let frontierTransaction = EthereumTransaction(
        kind: .legacy, chainID: nil, nonce: 0, gasPrice: UInt256(0x2d79883d2000), gasLimit: 21000,
        to: Address(hex: "0x5df9b87991262f6ba471f09758cde1c0fc1de734")!, value: UInt256(0x7a69), data: [],
        signature: .init(
            yParity: 1,
            r: Bytes32(hex: "0x88ff6cf0fefd94db46111149ae4bfc179e9b94721fffd821d38d16464b3f71d0")!.word,
            s: Bytes32(hex: "0x45e0aff800961cfce805daef7016b9b675c137a6a41a548f7b60a3484c06a33a")!.word))
    static let frontierSender = Address(hex: "0xa1e4380a3b1f749673e270229993ee55f35663b4")!
    static let frontierMiner = Address(hex: "0xe6a7a1d47ff21b6321162aea7c6cb457d5476bca")!

    static func frontierBlock(claimed: Address?) -> EthereumBlock {
        EthereumBlock(
            header: EthereumBlockHeader(
                number: 46147, timestamp: 0x55c42659, coinbase: frontierMiner, gasLimit: 0x520b, gasUsed: 21000, baseFee: nil,
                difficulty: UInt256(0x153886c1bbd), mixHash: .zero,
                receiptsRoot: Bytes32(hex: "0xfe2bf2a941abf41d72637e5b91750332a30283efd40c424dc522b77e6f0ed8c4")!,
                logsBloom: LogsBloom()),
            transactions: [frontierTransaction], claimedSenders: [claimed])
    }

    static let frontierPreState: [Address: PreStateAccount] = [
        frontierSender: PreStateAccount(nonce: 0, balance: Bytes32(hex: "0x00000000000000000000000000000000000000000000006c6b935b8bbd400000")!.word),
        frontierMiner: PreStateAccount(nonce: 0, balance: Bytes32(hex: "0x0000000000000000000000000000000000000000000000f3426785a8ab466000")!.word),
    ]

    @Test func frontierBlockRecoversItsSenderAndPaysTheMiner() throws {
        let engine = EthereumBlockExecutor(policy: .alwaysParallel)
        for executor in [SequentialExecutor(), try ParallelExecutor(threads: 2)] as [any BlockExecutor] {
            let result = try engine.execute(
                block: Self.frontierBlock(claimed: Self.frontierSender), preState: Self.frontierPreState, executor: executor)
            #expect(result.fork == .frontier)
            #expect(result.gasUsed == 21000)
            #expect(result.gasUsedMatches && result.logsBloomMatches)
            #expect(result.receiptsRoot == nil && result.receiptsRootMatches == nil)
            #expect(result.receipts.map(\.outcome) == [.stateRoot(nil)])
            var post = try engine.prepare(Self.frontierBlock(claimed: nil), preState: Self.frontierPreState).base
            post.apply(result.stateDelta)
            let accounts = EthereumStateLayout.accounts(in: post)
            let fee = UInt256(21000) &* UInt256(0x2d79883d2000)
            #expect(accounts[Self.frontierMiner]?.balance == Self.frontierPreState[Self.frontierMiner]!.balance &+ fee &+ ether(5))
            #expect(accounts[Self.frontierSender]?.nonce == 1)
            #expect(accounts[Self.frontierTransaction.to!]?.balance == UInt256(0x7a69))
        }
    }

    @Test func aWrongClaimedSenderIsATypedError() {
        let wrong = Address(hi: 0, mid: 0, lo: 1)
        #expect(throws: BlockExecutionError.senderMismatch(index: 0, claimed: wrong, recovered: Self.frontierSender)) {
            _ = try EthereumBlockExecutor().prepare(Self.frontierBlock(claimed: wrong), preState: Self.frontierPreState)
        }
        var forged = Self.frontierBlock(claimed: nil)
        forged.transactions[0].signature.r = .zero
        #expect(throws: BlockExecutionError.badSignature(index: 0, .rOutOfRange)) {
            _ = try EthereumBlockExecutor().prepare(forged, preState: Self.frontierPreState)
        }
        // EIP-155 replay protection did not exist in Frontier.
        var protected = Self.frontierBlock(claimed: nil)
        protected.transactions[0].chainID = 1
        #expect(throws: BlockExecutionError.wrongChainID(index: 0, chainID: 1, expected: 1)) {
            _ = try EthereumBlockExecutor().prepare(protected, preState: Self.frontierPreState)
        }
    }

    @Test func anInvalidTransactionMakesTheBlockInvalid() throws {
        // The sender cannot pay: the executors reject the transaction, the block is invalid.
        let poor: [Address: PreStateAccount] = [Self.frontierSender: PreStateAccount(nonce: 0, balance: UInt256(1))]
        #expect(throws: BlockExecutionError.self) {
            _ = try EthereumBlockExecutor().execute(block: Self.frontierBlock(claimed: nil), preState: poor, executor: SequentialExecutor())
        }
        // A gas limit above what the block has left.
        var block = Self.frontierBlock(claimed: nil)
        block.header.gasLimit = 20_000
        #expect(throws: BlockExecutionError.self) {
            _ = try EthereumBlockExecutor().execute(block: block, preState: Self.frontierPreState, executor: SequentialExecutor())
        }
    }

    @Test func ommerRewardsAndWithdrawals() throws {
        let miner = Address(hi: 0, mid: 0, lo: 0x111)
        let ommerMiner = Address(hi: 0, mid: 0, lo: 0x222)
        let engine = EthereumBlockExecutor(policy: .alwaysParallel)
        // Byzantium (3 ether): the miner gets 3 + 3/32 for one ommer; the ommer two blocks back gets 6/8 of 3.
        var powBlock = EthereumBlock(
            header: testHeader(number: 5_000_000, timestamp: 1_500_000_000, coinbase: miner, baseFee: nil), transactions: [],
            ommers: [Ommer(coinbase: ommerMiner, number: 4_999_998)])
        powBlock.header.parentBeaconBlockRoot = nil
        let pow = try engine.execute(block: powBlock, preState: [:], executor: SequentialExecutor())
        var post = InMemoryState()
        post.apply(pow.stateDelta)
        let accounts = EthereumStateLayout.accounts(in: post)
        #expect(accounts[miner]?.balance == ether(3) &+ ether(3).evmDiv(UInt256(32)))
        #expect(accounts[ommerMiner]?.balance == (ether(3) &* UInt256(6)).evmDiv(UInt256(8)))

        // Shanghai: no reward, withdrawals in Gwei.
        let withdrawals = [
            Withdrawal(index: 0, validatorIndex: 1, address: ommerMiner, amount: 5),
            Withdrawal(index: 1, validatorIndex: 2, address: ommerMiner, amount: 7),
        ]
        let posBlock = EthereumBlock(
            header: testHeader(number: 18_000_000, timestamp: 1_700_000_000, coinbase: miner), transactions: [], withdrawals: withdrawals)
        let pos = try engine.execute(block: posBlock, preState: [ommerMiner: PreStateAccount(nonce: 0, balance: UInt256(1))],
                                     executor: try ParallelExecutor(threads: 2))
        #expect(pos.fork == .shanghai)
        var posState = InMemoryState(EthereumStateLayout.entries(of: [ommerMiner: PreStateAccount(nonce: 0, balance: UInt256(1))]))
        posState.apply(pos.stateDelta)
        let posAccounts = EthereumStateLayout.accounts(in: posState)
        #expect(posAccounts[ommerMiner]?.balance == UInt256(12_000_000_001))
        #expect(posAccounts[miner] == nil)
    }

    @Test func theBeaconRootIsStoredWhenTheContractHasCode() throws {
        let contract = Address(hex: "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02")!
        let timestamp: UInt64 = 1_720_000_000
        let block = EthereumBlock(header: testHeader(number: 20_000_000, timestamp: timestamp, coinbase: Address(hi: 0, mid: 0, lo: 9)),
                                  transactions: [])
        let pre = [contract: PreStateAccount(nonce: 1, balance: .zero, code: [0x00], storage: [UInt256(timestamp % 8191): UInt256(5)])]
        let result = try EthereumBlockExecutor().execute(block: block, preState: pre, executor: SequentialExecutor())
        #expect(result.fork == .cancun)
        var post = InMemoryState(EthereumStateLayout.entries(of: pre))
        post.apply(result.stateDelta)
        let storage = EthereumStateLayout.accounts(in: post)[contract]?.storage ?? [:]
        #expect(storage[UInt256(timestamp % 8191)] == UInt256(timestamp))
        #expect(storage[UInt256(timestamp % 8191 + 8191)] == UInt256(0xBEAC))
        #expect(post.read(EthereumStateLayout.storageCountKey(contract))?.uint64Value == 2)
        // No code: nothing is written.
        let empty = try EthereumBlockExecutor().execute(block: block, preState: [:], executor: SequentialExecutor())
        #expect(empty.stateDelta.count == 0)
    }

    @Test func thePolicySendsBlocksThatCannotGainToTheSequentialExecutor() throws {
        let policy = ParallelismPolicy.default
        let a = Address(hi: 0, mid: 0, lo: 1), b = Address(hi: 0, mid: 0, lo: 2)
        #expect(policy.sequentialReason(transactions: 3, senders: [a, b, a]) != nil)
        #expect(policy.sequentialReason(transactions: 20, senders: Array(repeating: a, count: 11) + Array(repeating: b, count: 9)) != nil)
        #expect(policy.sequentialReason(transactions: 20, senders: Array(repeating: a, count: 10) + Array(repeating: b, count: 10)) == nil)
        #expect(ParallelismPolicy.alwaysParallel.sequentialReason(transactions: 1, senders: [a]) == nil)
        // The one-transaction Frontier block: run sequentially under the default policy, with the same result.
        let parallel = try ParallelExecutor(threads: 2)
        let byPolicy = try EthereumBlockExecutor().execute(block: Self.frontierBlock(claimed: nil), preState: Self.frontierPreState, executor: parallel)
        let forced = try EthereumBlockExecutor(policy: .alwaysParallel)
            .execute(block: Self.frontierBlock(claimed: nil), preState: Self.frontierPreState, executor: parallel)
        #expect(byPolicy.sequentialReason != nil && forced.sequentialReason == nil)
        #expect(byPolicy.receipts == forced.receipts && byPolicy.stateDelta == forced.stateDelta)
    }

    @Test func theDAOForkDrainsItsListIntoTheRefundContract() throws {
        let drained = Array(DAOFork.drainList.prefix(3))
        var pre: [Address: PreStateAccount] = [DAOFork.refundContract: PreStateAccount(nonce: 0, balance: UInt256(1))]
        for (index, address) in drained.enumerated() { pre[address] = PreStateAccount(nonce: 0, balance: ether(UInt64(index + 1))) }
        var header = testHeader(number: 1_920_000, timestamp: 1_469_020_840, coinbase: Address(hi: 0, mid: 0, lo: 0x61), baseFee: nil)
        header.parentBeaconBlockRoot = nil
        for number: UInt64 in [1_920_000, 1_920_001] {
            header.number = number
            let result = try EthereumBlockExecutor(policy: .alwaysParallel)
                .execute(block: EthereumBlock(header: header, transactions: []), preState: pre, executor: try ParallelExecutor(threads: 2))
            var post = InMemoryState(EthereumStateLayout.entries(of: pre))
            post.apply(result.stateDelta)
            let accounts = EthereumStateLayout.accounts(in: post)
            if number == 1_920_000 {
                #expect(accounts[DAOFork.refundContract]?.balance == UInt256(1) &+ ether(6))
                for address in drained { #expect(accounts[address] == PreStateAccount(nonce: 0, balance: .zero), "\(address) still exists, drained") }
            } else {
                #expect(accounts[DAOFork.refundContract]?.balance == UInt256(1), "only the fork block drains")
            }
        }
    }
}
