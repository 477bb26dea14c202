// The inputs and outputs of one EVM transaction: the backend the world is read
// from, the block and transaction environments, the typed reasons a
// transaction is invalid, and the result with the state changes to write back.
//
// Field meanings follow the Yellow Paper (section 4.3 block header, 4.2
// transaction) and the EIPs named at each field.

import ParallaxEthereum

/// An account as the EVM sees it. `codeHash == EmptyHashes.code`: no code.
public struct AccountInfo: Equatable, Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    public var codeHash: Bytes32

    public init(nonce: UInt64, balance: UInt256, codeHash: Bytes32) {
        self.nonce = nonce
        self.balance = balance
        self.codeHash = codeHash
    }

    /// EIP-161 "empty": no nonce, no balance, no code.
    public var isEmpty: Bool { nonce == 0 && balance.isZero && codeHash == EmptyHashes.code }
}

/// Where a transaction reads the world before it. Any error a backend throws
/// propagates out of `EVM.transact` unchanged and immediately (it means "the
/// executor suspended this attempt"): the EVM never turns it into an EVM
/// failure and never catches it.
public protocol EVMStateBackend {
    /// nil: the account does not exist.
    func account(_ address: Address) throws -> AccountInfo?
    /// Only called for non-empty code hashes.
    func code(_ codeHash: Bytes32) throws -> [UInt8]
    func storage(_ address: Address, _ slot: UInt256) throws -> UInt256
    /// The BLOCKHASH source; nil reads as zero.
    func blockHash(_ number: UInt64) throws -> Bytes32?
    /// Whether the account has any non-zero storage slot: a CREATE onto such
    /// an address collides (EIP-7610). Defaults to false (the collision
    /// then rests on nonce and code only).
    func hasStorage(_ address: Address) throws -> Bool
}

extension EVMStateBackend {
    public func hasStorage(_ address: Address) throws -> Bool { false }
}

/// The block a transaction runs in.
public struct BlockEnvironment: Sendable {
    public var coinbase: Address
    public var number: UInt64
    public var timestamp: UInt64
    public var gasLimit: UInt64
    /// EIP-1559 base fee (zero before London).
    public var baseFee: UInt256
    /// EIP-4399 PREVRANDAO (Paris and later).
    public var prevRandao: Bytes32
    /// DIFFICULTY before Paris.
    public var difficulty: UInt256
    /// EIP-4844 excess blob gas (Cancun and later; nil before).
    public var excessBlobGas: UInt64?
    public var chainID: UInt64

    public init(
        coinbase: Address, number: UInt64, timestamp: UInt64, gasLimit: UInt64, baseFee: UInt256,
        prevRandao: Bytes32, difficulty: UInt256, excessBlobGas: UInt64?, chainID: UInt64
    ) {
        self.coinbase = coinbase
        self.number = number
        self.timestamp = timestamp
        self.gasLimit = gasLimit
        self.baseFee = baseFee
        self.prevRandao = prevRandao
        self.difficulty = difficulty
        self.excessBlobGas = excessBlobGas
        self.chainID = chainID
    }

    /// EIP-4844 blob base fee: fake_exponential(MIN_BASE_FEE_PER_BLOB_GAS = 1,
    /// excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION = 3338477).
    public var blobBaseFee: UInt256 {
        fakeExponential(factor: .one, numerator: UInt256(excessBlobGas ?? 0), denominator: UInt256(3_338_477))
    }
}

/// EIP-4844's integer approximation of factor * e^(numerator / denominator).
func fakeExponential(factor: UInt256, numerator: UInt256, denominator: UInt256) -> UInt256 {
    var i = UInt256.one
    var output = UInt256.zero
    var accumulator = factor &* denominator
    while !accumulator.isZero {
        output = output &+ accumulator
        accumulator = (accumulator &* numerator).evmDiv(denominator &* i)
        i = i &+ .one
    }
    return output.evmDiv(denominator)
}

/// A decoded transaction whose sender is known.
public struct TransactionEnvironment: Sendable {
    /// EIP-2718 type: 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844.
    public var type: UInt8
    public var caller: Address
    /// nil: contract creation.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    public var nonce: UInt64
    public var gasLimit: UInt64
    /// Types 0 and 1.
    public var gasPrice: UInt256
    /// Types 2 and 3.
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var accessList: [(Address, [UInt256])]
    public var blobVersionedHashes: [Bytes32]
    public var maxFeePerBlobGas: UInt256?

    public init(
        type: UInt8, caller: Address, to: Address?, value: UInt256, data: [UInt8], nonce: UInt64,
        gasLimit: UInt64, gasPrice: UInt256, maxFeePerGas: UInt256, maxPriorityFeePerGas: UInt256,
        accessList: [(Address, [UInt256])], blobVersionedHashes: [Bytes32], maxFeePerBlobGas: UInt256?
    ) {
        self.type = type
        self.caller = caller
        self.to = to
        self.value = value
        self.data = data
        self.nonce = nonce
        self.gasLimit = gasLimit
        self.gasPrice = gasPrice
        self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.accessList = accessList
        self.blobVersionedHashes = blobVersionedHashes
        self.maxFeePerBlobGas = maxFeePerBlobGas
    }

    /// Types 2 and 3 price gas by fee caps (EIP-1559); 0 and 1 by one gas price.
    var usesFeeCaps: Bool { type >= 2 }
}

/// Why a transaction is invalid: it is not included and the state is unchanged.
public enum InvalidTransaction: Error, Equatable, Sendable, CustomStringConvertible {
    case nonceTooLow(expected: UInt64, got: UInt64)
    case nonceTooHigh(expected: UInt64, got: UInt64)
    /// EIP-2681: the sender's nonce cannot be bumped past 2^64 - 1.
    case nonceMax
    case insufficientFunds(balance: UInt256, required: UInt256)
    case gasLimitExceedsBlock(gasLimit: UInt64, blockGasLimit: UInt64)
    case intrinsicGasTooLow(gasLimit: UInt64, intrinsic: UInt64)
    case feeCapBelowBaseFee(maxFeePerGas: UInt256, baseFee: UInt256)
    case priorityFeeAboveFeeCap(maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256)
    case gasPriceBelowBaseFee(gasPrice: UInt256, baseFee: UInt256)
    /// EIP-3607: a sender with deployed code.
    case senderHasCode
    /// EIP-3860: initcode longer than 49152 bytes.
    case initcodeTooLarge(size: Int)
    case blobFeeCapTooLow(maxFeePerBlobGas: UInt256, blobBaseFee: UInt256)
    case noBlobs
    case tooManyBlobs(count: Int)
    case invalidBlobVersion(index: Int)
    case createWithBlobs
    /// A transaction type the fork does not know (type 1 before Berlin, ...).
    case typeNotSupported(type: UInt8)

    public var description: String {
        switch self {
        case .nonceTooLow(let e, let g): "nonce too low: account nonce \(e), transaction nonce \(g)"
        case .nonceTooHigh(let e, let g): "nonce too high: account nonce \(e), transaction nonce \(g)"
        case .nonceMax: "sender nonce is 2^64-1 (EIP-2681)"
        case .insufficientFunds(let b, let r): "insufficient funds: balance \(b), required \(r)"
        case .gasLimitExceedsBlock(let g, let b): "gas limit \(g) exceeds block gas limit \(b)"
        case .intrinsicGasTooLow(let g, let i): "gas limit \(g) below intrinsic gas \(i)"
        case .feeCapBelowBaseFee(let f, let b): "max fee per gas \(f) below base fee \(b)"
        case .priorityFeeAboveFeeCap(let p, let f): "max priority fee \(p) above max fee \(f)"
        case .gasPriceBelowBaseFee(let p, let b): "gas price \(p) below base fee \(b)"
        case .senderHasCode: "sender has deployed code (EIP-3607)"
        case .initcodeTooLarge(let s): "initcode of \(s) bytes exceeds 49152 (EIP-3860)"
        case .blobFeeCapTooLow(let f, let b): "max fee per blob gas \(f) below blob base fee \(b)"
        case .noBlobs: "blob transaction without blobs"
        case .tooManyBlobs(let c): "\(c) blobs exceed the maximum of 6"
        case .invalidBlobVersion(let i): "blob versioned hash \(i) does not start with 0x01"
        case .createWithBlobs: "blob transaction cannot create a contract"
        case .typeNotSupported(let t): "transaction type \(t) not supported by this fork"
        }
    }
}

/// Errors of the EVM itself that are neither an invalid transaction nor the
/// backend's: the vector cannot be judged by this EVM.
public enum EVMError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A call reached a precompile address that this EVM recognises for the
    /// fork but does not implement (none through Cancun).
    case precompileNotImplemented(Address)

    public var description: String {
        switch self {
        case .precompileNotImplemented(let a): "precompile \(a) is not implemented"
        }
    }
}

/// Why a frame halted exceptionally (all its gas is consumed).
public enum HaltReason: Equatable, Sendable, CustomStringConvertible {
    case outOfGas
    case invalidOpcode(UInt8)
    case stackUnderflow
    case stackOverflow
    case badJump
    case staticViolation
    case returnDataOutOfBounds
    case createCollision
    case codeSizeLimit
    /// EIP-3541: new code starting with 0xEF.
    case invalidCodePrefix
    case initcodeSizeLimit
    case callDepthExceeded
    case nonceOverflow
    case insufficientBalance

    public var description: String {
        switch self {
        case .outOfGas: "out of gas"
        case .invalidOpcode(let op): "invalid opcode 0x\(String(op, radix: 16))"
        case .stackUnderflow: "stack underflow"
        case .stackOverflow: "stack overflow"
        case .badJump: "bad jump destination"
        case .staticViolation: "state change in a static call"
        case .returnDataOutOfBounds: "return data out of bounds"
        case .createCollision: "create collision"
        case .codeSizeLimit: "code size above 24576 (EIP-170)"
        case .invalidCodePrefix: "code starts with 0xEF (EIP-3541)"
        case .initcodeSizeLimit: "initcode size above 49152 (EIP-3860)"
        case .callDepthExceeded: "call depth above 1024"
        case .nonceOverflow: "nonce overflow"
        case .insufficientBalance: "insufficient balance"
        }
    }
}

/// How the top frame ended: receipt status 1 for success, 0 otherwise.
public enum ExecutionStatus: Equatable, Sendable {
    case success
    case revert
    case halt(HaltReason)
}

/// Everything a transaction writes back.
public struct StateChanges: Sendable {
    /// Final info of every account the transaction touched or changed; nil =
    /// deleted (EIP-161 empty touched account, or SELFDESTRUCT). Accounts only
    /// read are absent.
    public var accounts: [Address: AccountInfo?] = [:]
    /// Final values of changed storage slots (0 = cleared), only for accounts
    /// not deleted.
    public var storage: [Address: [UInt256: UInt256]] = [:]
    /// Accounts whose whole prior storage must be wiped before `storage`
    /// applies (a CREATE onto the address).
    public var storageWiped: Set<Address> = []
    /// Per account in `storage`, the change in its number of non-zero slots
    /// against the values before the transaction (absent: no change).
    public var filledSlots: [Address: Int] = [:]
    /// Code of accounts created by this transaction, by hash.
    public var newCode: [Bytes32: [UInt8]] = [:]
    /// The coinbase's fee (priority fee x gas used) NOT already applied to
    /// `accounts`: when the transaction loaded the coinbase for another reason
    /// the fee is added to its entry in `accounts` and this is zero. The caller
    /// applies it as a commutative credit (an absent coinbase is created by a
    /// non-zero credit).
    public var coinbaseCredit: UInt256 = .zero

    public init() {}
}

/// The outcome of an included transaction.
public struct TransactionResult: Sendable {
    public var status: ExecutionStatus
    /// Gas used after the refund (what the receipt's cumulative gas adds).
    public var gasUsed: UInt64
    /// Empty unless success.
    public var logs: [Log]
    /// Return (or revert) data of the top frame.
    public var output: [UInt8]
    public var createdAddress: Address?
    public var changes: StateChanges
    /// The whole fee paid to the coinbase (priority fee x gas used), whether
    /// applied in `changes.accounts` or left in `changes.coinbaseCredit`.
    public var coinbaseFee: UInt256
    /// The refund granted (already subtracted from `gasUsed`).
    public var gasRefunded: UInt64
    /// The refund counter at the end of a successful execution, before the
    /// EIP-3529 cap (zero otherwise).
    public var refundCounter: Int64
}
