// An Ethereum block on the Parallax executors.
//
// `prepare` picks the fork from the chain's schedule, recovers each sender
// from its signature (EIP-2 low s from Homestead, EIP-155 chain ids) and
// checks it against the one the block claims, lays the pre-state out on
// Parallax keys, and builds the block's Parallax transactions: the system
// changes that come first (DAO fork, EIP-4788 beacon root), one
// `EVMTransaction` per signed transaction, and the balance credits that come
// last (block and ommer rewards before the merge, withdrawals from
// Shanghai). `execute` runs them on any `BlockExecutor` (the sequential
// oracle or Block-STM) and builds the receipts, the logs bloom, the gas used
// and the receipts root, and compares them with the header.
//
// Block validity beyond execution (the header's own fields, the
// transactions root, the state root) is not checked here. A transaction
// that is invalid for the state it meets (nonce, balance, fee caps), or
// whose gas limit exceeds what the block has left, makes the block invalid:
// a `BlockExecutionError`.

import ParallaxEthereum
import ParallaxEVM
import ParallaxExecution
import ParallaxVMInterface

/// Why a block could not be executed, or was found invalid.
public enum BlockExecutionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The signature of transaction `index` recovers no sender.
    case badSignature(index: Int, SenderRecoveryError)
    /// The sender recovered from transaction `index`'s signature is not the one the block claims.
    case senderMismatch(index: Int, claimed: Address, recovered: Address)
    /// Transaction `index` is signed for another chain, or with EIP-155 before Spurious Dragon.
    case wrongChainID(index: Int, chainID: UInt64?, expected: UInt64)
    /// `claimedSenders` (or the senders given to `prepare`) do not have one entry per transaction.
    case claimedSendersCount(transactions: Int, senders: Int)
    /// Transaction `index` is invalid for the state it meets.
    case invalidTransaction(index: Int, reason: String)
    /// Transaction `index`'s gas limit exceeds the gas the block has left.
    case blockGasLimitExceeded(index: Int, gasLimit: UInt64, available: UInt64)
    /// Transaction `index` ended in a way an EVM transaction cannot (an executor or VM bug).
    case unexpectedOutcome(index: Int, status: String)
    /// The executor gave up on the block.
    case executor(ExecutorFailure)

    public var description: String {
        switch self {
        case .badSignature(let index, let error): "transaction \(index): \(error)"
        case .senderMismatch(let index, let claimed, let recovered):
            "transaction \(index): the signature recovers \(recovered), the block claims \(claimed)"
        case .wrongChainID(let index, let chainID, let expected):
            "transaction \(index): chain id \(chainID.map(String.init) ?? "none") where \(expected) is expected"
        case .claimedSendersCount(let transactions, let senders):
            "\(senders) claimed senders for \(transactions) transactions"
        case .invalidTransaction(let index, let reason): "transaction \(index) is invalid: \(reason)"
        case .blockGasLimitExceeded(let index, let gasLimit, let available):
            "transaction \(index): gas limit \(gasLimit) above the \(available) the block has left"
        case .unexpectedOutcome(let index, let status): "transaction \(index) ended as \(status)"
        case .executor(let failure): "executor: \(failure)"
        }
    }
}

/// A block ready to run: its pre-state on Parallax keys and its Parallax
/// transactions. It can be executed any number of times, by any executor.
public struct PreparedBlock: Sendable {
    public let block: EthereumBlock
    public let fork: Fork
    /// The recovered sender of each transaction.
    public let senders: [Address]
    /// The pre-state on Parallax keys.
    public let base: InMemoryState
    /// The system transactions before the block's own, then its own, then the credits.
    public let transactions: [any Transaction]
    /// How many system transactions come before the block's own.
    public let leadingSystemTransactions: Int
}

/// What executing a block gave, and how it compares with the header.
public struct BlockResult: Sendable {
    public let fork: Fork
    /// One per transaction, in block order.
    public let receipts: [Receipt]
    /// The sum of the transactions' gas used.
    public let gasUsed: UInt64
    /// EIP-4844 blob gas of the block's transactions.
    public let blobGasUsed: UInt64
    public let logsBloom: LogsBloom
    /// nil before Byzantium: the receipts hold post-transaction state roots
    /// that a partial pre-state cannot give.
    public let receiptsRoot: Bytes32?
    /// The block's effect on the Parallax keys (`EthereumStateLayout`),
    /// system changes included.
    public let stateDelta: StateDelta
    /// What each transaction returned (or reverted with).
    public let returnData: [[UInt8]]
    /// Executions beyond one per Parallax transaction (system ones included).
    public let reexecutions: Int
    /// Why the block ran on a sequential executor though a parallel one was
    /// given (see `ParallelismPolicy`); nil when it ran on the one given.
    public let sequentialReason: String?

    /// Whether the receipts root equals the header's; nil when not computable.
    public let receiptsRootMatches: Bool?
    public let logsBloomMatches: Bool
    public let gasUsedMatches: Bool

    /// Whether every comparison that can be made agrees with the header.
    public var matchesHeader: Bool { receiptsRootMatches != false && logsBloomMatches && gasUsedMatches }
}

/// When a block is run on the sequential executor even though a parallel
/// one was given: blocks that cannot gain from Block-STM and would pay its
/// overhead (waking workers, validating, re-executing).
public struct ParallelismPolicy: Sendable, Equatable {
    /// Blocks with fewer transactions run sequentially (the workers' wake-up
    /// costs more than such a block gains).
    public var minimumTransactions: Int
    /// Blocks where one sender signs more than this share of the
    /// transactions run sequentially: its nonce chain orders them, so
    /// Block-STM can at best run them one after the other.
    public var maximumSenderShare: Double

    public init(minimumTransactions: Int, maximumSenderShare: Double) {
        self.minimumTransactions = minimumTransactions
        self.maximumSenderShare = maximumSenderShare
    }

    /// Fewer than 16 transactions, or one sender above half of them: sequential.
    public static let `default` = ParallelismPolicy(minimumTransactions: 16, maximumSenderShare: 0.5)
    /// Every block on the executor given (to test or measure Block-STM itself).
    public static let alwaysParallel = ParallelismPolicy(minimumTransactions: 0, maximumSenderShare: 1)

    /// Why the block should run sequentially; nil: it should not.
    public func sequentialReason(transactions: Int, senders: [Address]) -> String? {
        guard transactions > 0 else { return nil }
        if transactions < minimumTransactions { return "\(transactions) transactions (fewer than \(minimumTransactions))" }
        var counts: [Address: Int] = [:]
        for sender in senders { counts[sender, default: 0] += 1 }
        let largest = counts.values.max() ?? 0
        if Double(largest) > maximumSenderShare * Double(transactions) {
            return "one sender signs \(largest) of \(transactions) transactions"
        }
        return nil
    }
}

/// Executes Ethereum blocks on the Parallax executors (see the file header).
public struct EthereumBlockExecutor: Sendable {
    public let chain: EthereumChainConfig
    /// When a block given a parallel executor runs sequentially instead.
    public var policy: ParallelismPolicy

    public init(chain: EthereumChainConfig = .mainnet, policy: ParallelismPolicy = .default) {
        self.chain = chain
        self.policy = policy
    }

    /// `prepare` then `execute`.
    public func execute(
        block: EthereumBlock, preState: [Address: PreStateAccount], executor: any BlockExecutor
    ) throws(BlockExecutionError) -> BlockResult {
        try execute(try prepare(block, preState: preState), on: executor)
    }

    /// Recovers and checks the senders, lays the pre-state out on Parallax
    /// keys and builds the block's Parallax transactions.
    ///
    /// - Parameter senders: the senders, when the caller has already
    ///   recovered them (a node whose precheck stage verified the
    ///   signatures): one per transaction, taken as they are (neither the
    ///   signatures nor the claimed senders are looked at then).
    public func prepare(
        _ block: EthereumBlock, preState: [Address: PreStateAccount], senders knownSenders: [Address]? = nil
    ) throws(BlockExecutionError) -> PreparedBlock {
        let header = block.header
        let fork = chain.fork(number: header.number, timestamp: header.timestamp)
        for count in [block.claimedSenders.count, knownSenders?.count ?? block.transactions.count] where count != block.transactions.count {
            throw .claimedSendersCount(transactions: block.transactions.count, senders: count)
        }
        let environment = BlockEnvironment(
            coinbase: header.coinbase, number: header.number, timestamp: header.timestamp, gasLimit: header.gasLimit,
            baseFee: fork >= .london ? header.baseFee ?? .zero : .zero, prevRandao: header.mixHash,
            difficulty: header.difficulty, excessBlobGas: fork >= .cancun ? header.excessBlobGas ?? 0 : nil,
            chainID: chain.chainID)

        var transactions: [any Transaction] = []
        transactions.reserveCapacity(block.transactions.count + 3)
        if let dao = chain.daoForkBlock, header.number == dao { transactions.append(DAOForkTransaction()) }
        if fork >= .cancun, let root = header.parentBeaconBlockRoot {
            transactions.append(BeaconRootTransaction(timestamp: header.timestamp, root: root))
        }
        let leading = transactions.count

        var senders: [Address] = []
        senders.reserveCapacity(block.transactions.count)
        for (index, transaction) in block.transactions.enumerated() {
            if let chainID = transaction.chainID, chainID != chain.chainID || (transaction.kind == .legacy && fork < .spuriousDragon) {
                throw .wrongChainID(index: index, chainID: transaction.chainID, expected: chain.chainID)
            }
            let sender: Address
            if let knownSenders {
                sender = knownSenders[index]
            } else {
                do { sender = try transaction.recoverSender(allowHighS: fork < .homestead) } catch {
                    throw .badSignature(index: index, error)
                }
                if let claimed = block.claimedSenders[index], claimed != sender {
                    throw .senderMismatch(index: index, claimed: claimed, recovered: sender)
                }
            }
            senders.append(sender)
            let evm = EVMTransaction(
                TransactionEnvironment(transaction, sender: sender), block: environment, fork: fork, blockHashes: block.blockHashes)
            transactions.append(BlockTransaction(evm, sender: sender))
        }

        var credits: [(Address, UInt256)] = []
        let reward = EthereumChainConfig.blockReward(fork)
        if !reward.isZero {
            let ommerCount = block.ommers.count + block.ommersWithoutHeaders
            // The miner: the reward and a 32nd of it per ommer (Yellow Paper 11.3).
            credits.append((header.coinbase, reward &+ (reward.evmDiv(UInt256(32)) &* UInt256(UInt64(ommerCount)))))
            for ommer in block.ommers where ommer.number < header.number && header.number - ommer.number < 8 {
                // (8 + ommer number - block number) / 8 of the reward.
                let eighths = UInt256(8 - (header.number - ommer.number))
                credits.append((ommer.coinbase, (reward &* eighths).evmDiv(UInt256(8))))
            }
        }
        if fork >= .shanghai {
            let gwei = UInt256(1_000_000_000 as UInt64)
            for withdrawal in block.withdrawals where withdrawal.amount > 0 {
                credits.append((withdrawal.address, UInt256(withdrawal.amount) &* gwei))
            }
        }
        if !credits.isEmpty { transactions.append(BalanceCreditsTransaction(credits: credits)) }

        return PreparedBlock(
            block: block, fork: fork, senders: senders, base: InMemoryState(EthereumStateLayout.entries(of: preState)),
            transactions: transactions, leadingSystemTransactions: leading)
    }

    /// Runs a prepared block on `executor` (on a sequential executor instead
    /// when `policy` says the block cannot gain from a parallel one) and
    /// compares the result with the header.
    public func execute(_ prepared: PreparedBlock, on executor: any BlockExecutor) throws(BlockExecutionError) -> BlockResult {
        var runner = executor
        var sequentialReason: String? = nil
        if !(executor is SequentialExecutor),
           let reason = policy.sequentialReason(transactions: prepared.block.transactions.count, senders: prepared.senders) {
            runner = SequentialExecutor()
            sequentialReason = reason
        }
        let output: BlockOutput
        do { output = try runner.tryExecute(prepared.transactions, on: prepared.base) } catch { throw .executor(error) }
        let statistics = runner.lastStatistics
        let block = prepared.block
        let header = block.header
        let fork = prepared.fork

        var receipts: [Receipt] = []
        receipts.reserveCapacity(block.transactions.count)
        var returnData: [[UInt8]] = []
        returnData.reserveCapacity(block.transactions.count)
        var cumulative: UInt64 = 0
        var blobGas: UInt64 = 0
        var bloom = LogsBloom()
        var bloomCache = BloomCache()
        for (index, transaction) in block.transactions.enumerated() {
            let result = output.transactions[prepared.leadingSystemTransactions + index]
            let available = header.gasLimit >= cumulative ? header.gasLimit - cumulative : 0
            if transaction.gasLimit > available {
                throw .blockGasLimitExceeded(index: index, gasLimit: transaction.gasLimit, available: available)
            }
            let succeeded: Bool
            switch result.status {
            case .success: succeeded = true
            case .failed: succeeded = false
            case .rejected(let reason): throw .invalidTransaction(index: index, reason: reason.detail)
            case .reverted, .outOfGas, .undeclaredAccess:
                throw .unexpectedOutcome(index: index, status: "\(result.status)")
            }
            cumulative += result.gasUsed
            blobGas += UInt64(transaction.blobVersionedHashes.count) * 131_072
            let logs = result.events.map(Log.init)
            let receipt = Receipt(
                type: transaction.kind, outcome: fork >= .byzantium ? .status(succeeded) : .stateRoot(nil),
                cumulativeGasUsed: cumulative, gasUsed: result.gasUsed, logs: logs,
                bloom: LogsBloom(logs: logs, cache: &bloomCache))
            bloom.formUnion(receipt.bloom)
            receipts.append(receipt)
            returnData.append(result.returnData)
        }
        let root = fork >= .byzantium ? Receipt.root(of: receipts) : nil
        return BlockResult(
            fork: fork, receipts: receipts, gasUsed: cumulative, blobGasUsed: blobGas, logsBloom: bloom, receiptsRoot: root,
            stateDelta: output.stateDelta, returnData: returnData,
            reexecutions: statistics.reexecutions(transactions: prepared.transactions.count), sequentialReason: sequentialReason,
            receiptsRootMatches: root.map { $0 == header.receiptsRoot }, logsBloomMatches: bloom == header.logsBloom,
            gasUsedMatches: cumulative == header.gasUsed)
    }
}

extension TransactionEnvironment {
    /// The EVM's view of a signed transaction whose sender is known.
    public init(_ transaction: EthereumTransaction, sender: Address) {
        self.init(
            type: transaction.kind.rawValue, caller: sender, to: transaction.to, value: transaction.value,
            data: transaction.data, nonce: transaction.nonce, gasLimit: transaction.gasLimit,
            gasPrice: transaction.gasPrice, maxFeePerGas: transaction.maxFeePerGas,
            maxPriorityFeePerGas: transaction.maxPriorityFeePerGas,
            accessList: transaction.accessList.map { ($0.address, $0.storageKeys.map(\.word)) },
            blobVersionedHashes: transaction.blobVersionedHashes,
            maxFeePerBlobGas: transaction.kind == .blob ? transaction.maxFeePerBlobGas : nil)
    }
}
