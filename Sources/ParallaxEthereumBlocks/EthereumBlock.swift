// A block as the block executor takes it: the header fields execution reads
// or checks (Yellow Paper 4.3; EIP-1559 base fee, EIP-4399 prevrandao,
// EIP-4844 blob gas, EIP-4788 parent beacon root), the signed transactions
// in order, the ommers' miners and numbers (for their rewards), and the
// withdrawals (EIP-4895).

import ParallaxEthereum

/// The header fields a block's execution reads or is checked against.
public struct EthereumBlockHeader: Sendable, Equatable {
    public var number: UInt64
    public var timestamp: UInt64
    /// The beneficiary (JSON-RPC `miner`).
    public var coinbase: Address
    public var gasLimit: UInt64
    /// The gas the block's transactions used, as the header claims it.
    public var gasUsed: UInt64
    /// EIP-1559 (London); nil before.
    public var baseFee: UInt256?
    /// DIFFICULTY before the merge.
    public var difficulty: UInt256
    /// `mixHash`: PREVRANDAO from the merge (EIP-4399).
    public var mixHash: Bytes32
    /// EIP-4844 (Cancun); nil before.
    public var blobGasUsed: UInt64?
    public var excessBlobGas: UInt64?
    /// EIP-4788 (Cancun): written to the beacon-roots contract before the
    /// transactions; nil before Cancun.
    public var parentBeaconBlockRoot: Bytes32?
    /// The root of the receipts trie, as the header claims it.
    public var receiptsRoot: Bytes32
    /// The OR of the receipts' blooms, as the header claims it.
    public var logsBloom: LogsBloom

    public init(
        number: UInt64, timestamp: UInt64, coinbase: Address, gasLimit: UInt64, gasUsed: UInt64, baseFee: UInt256?,
        difficulty: UInt256, mixHash: Bytes32, blobGasUsed: UInt64? = nil, excessBlobGas: UInt64? = nil,
        parentBeaconBlockRoot: Bytes32? = nil, receiptsRoot: Bytes32, logsBloom: LogsBloom
    ) {
        self.number = number
        self.timestamp = timestamp
        self.coinbase = coinbase
        self.gasLimit = gasLimit
        self.gasUsed = gasUsed
        self.baseFee = baseFee
        self.difficulty = difficulty
        self.mixHash = mixHash
        self.blobGasUsed = blobGasUsed
        self.excessBlobGas = excessBlobGas
        self.parentBeaconBlockRoot = parentBeaconBlockRoot
        self.receiptsRoot = receiptsRoot
        self.logsBloom = logsBloom
    }
}

/// An ommer (uncle) as its reward needs it.
public struct Ommer: Sendable, Equatable {
    public var coinbase: Address
    public var number: UInt64

    public init(coinbase: Address, number: UInt64) {
        self.coinbase = coinbase
        self.number = number
    }
}

/// An EIP-4895 withdrawal: `amount` Gwei credited to `address` after the
/// transactions.
public struct Withdrawal: Sendable, Equatable {
    public var index: UInt64
    public var validatorIndex: UInt64
    public var address: Address
    /// In Gwei.
    public var amount: UInt64

    public init(index: UInt64, validatorIndex: UInt64, address: Address, amount: UInt64) {
        self.index = index
        self.validatorIndex = validatorIndex
        self.address = address
        self.amount = amount
    }
}

/// A block to execute.
public struct EthereumBlock: Sendable {
    public var header: EthereumBlockHeader
    /// In block order.
    public var transactions: [EthereumTransaction]
    /// The sender each transaction claims (JSON-RPC `from`), checked
    /// against the one its signature recovers; nil: not claimed.
    public var claimedSenders: [Address?]
    /// The ommers' miners and numbers; empty after the merge.
    public var ommers: [Ommer]
    /// Ommers listed by hash only (their headers unknown): their count
    /// still raises the miner's reward, their own miners get nothing here.
    public var ommersWithoutHeaders: Int
    /// EIP-4895 (Shanghai); empty before.
    public var withdrawals: [Withdrawal]
    /// `BLOCKHASH`'s source: hashes of recent blocks by number (the 256
    /// before this one at most are reachable).
    public var blockHashes: [UInt64: Bytes32]

    public init(
        header: EthereumBlockHeader, transactions: [EthereumTransaction], claimedSenders: [Address?]? = nil,
        ommers: [Ommer] = [], ommersWithoutHeaders: Int = 0, withdrawals: [Withdrawal] = [],
        blockHashes: [UInt64: Bytes32] = [:]
    ) {
        self.header = header
        self.transactions = transactions
        self.claimedSenders = claimedSenders ?? Array(repeating: nil, count: transactions.count)
        self.ommers = ommers
        self.ommersWithoutHeaders = ommersWithoutHeaders
        self.withdrawals = withdrawals
        self.blockHashes = blockHashes
    }
}

/// An account of the state before a block: `WorldStateRoot.Account` (nonce,
/// balance, code, storage), the same shape the state root is computed from. A
/// block's pre-state may hold only the accounts and slots the block touches:
/// an account absent is empty (never existed), a slot absent from a present
/// account is zero.
public typealias PreStateAccount = WorldStateRoot.Account
