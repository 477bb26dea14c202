import ParallaxEthereum
import ParallaxVMInterface

/// An Ethereum transaction as a Parallax `Transaction`: the EVM runs inside
/// `execute(in:)` against the state the executor provides, and its effects
/// go back as writes of `EthereumStateLayout` keys.
///
/// The EVM keeps its own books, so the context's policy is off: the gas
/// schedule is `GasSchedule.free`, the fee policy `FeePolicy.none`, and the EVM's
/// gas used (after refunds) is charged once at the end. The EVM debits the
/// sender's 256-bit balance itself; the coinbase's priority fee is credited
/// here. Outcomes map as follows:
/// - invalid for the state it meets (nonce, balance, fee caps...): thrown
///   as a `TransactionRejection`: not included, nothing written;
/// - EVM success: `success`, logs as events;
/// - EVM revert or exceptional halt: `failed(reason:)`, with the writes the
///   EVM keeps (nonce, gas payment, coinbase credit) and no events.
///
/// Any error the executor raises while the EVM reads (a suspension on a
/// dependency) leaves through `EVM.transact` untouched, and the context's
/// sticky failure decides the attempt, whatever the EVM did with it.
public struct EVMTransaction: Transaction {
    public let environment: TransactionEnvironment
    public let block: BlockEnvironment
    public let fork: Fork
    /// `BLOCKHASH`'s source: the hashes of recent blocks by number.
    public let blockHashes: [UInt64: Bytes32]

    public init(_ environment: TransactionEnvironment, block: BlockEnvironment, fork: Fork, blockHashes: [UInt64: Bytes32] = [:]) {
        self.environment = environment
        self.block = block
        self.fork = fork
        self.blockHashes = blockHashes
    }

    public var gasLimit: UInt64 { environment.gasLimit }
    public var feePolicy: FeePolicy { .none }
    public var gasSchedule: GasSchedule { .free }

    public func execute(in context: ExecutionContext) throws {
        let backend = ContextBackend(context: context, blockHashes: blockHashes)
        let result: TransactionResult
        do {
            result = try EVM(fork: fork).transact(environment, block: block, state: backend)
        } catch let invalid as InvalidTransaction {
            throw EVMRejection(invalid)
        }
        try write(result.changes, through: backend)
        try context.chargeGas(result.gasUsed)
        context.setReturnData(result.output)
        for log in result.logs { try context.emit(log.event) }
        if result.status != .success { context.reportFailure(String(describing: result.status)) }
    }

    /// The EVM's changes as key writes, skipping values it left as they were.
    private func write(_ changes: StateChanges, through backend: ContextBackend) throws {
        let context = backend.context
        for (address, info) in changes.accounts {
            let original = backend.loadedAccounts[address] ?? nil
            let incarnation = backend.incarnation(of: address)
            guard let info else {
                if original != nil { try delete(address, incarnation: incarnation, through: backend) }
                continue
            }
            if original?.nonce != info.nonce || original?.codeHash != info.codeHash {
                try context.write(EthereumStateLayout.accountKey(address),
                                  EthereumStateLayout.accountValue(nonce: info.nonce, codeHash: info.codeHash, incarnation: incarnation))
            }
            if original?.balance != info.balance {
                if info.balance.isZero {
                    try context.delete(EthereumStateLayout.balanceKey(address))
                } else {
                    try context.write(EthereumStateLayout.balanceKey(address), EthereumStateLayout.balanceValue(info.balance))
                }
            }
        }
        for (address, slots) in changes.storage {
            if case .some(.none) = changes.accounts[address] { continue }   // deleted with its storage
            let incarnation = backend.incarnation(of: address)
            for (slot, value) in slots {
                let key = EthereumStateLayout.storageKey(address, slot, incarnation: incarnation)
                if value.isZero {
                    try context.delete(key)
                } else {
                    try context.write(key, EthereumStateLayout.storageValue(address, slot, value))
                }
            }
            let filled = changes.filledSlots[address] ?? 0
            if filled > 0 {
                try context.add(EthereumStateLayout.storageCountKey(address), UInt64(filled))
            } else if filled < 0 {
                try context.subtract(EthereumStateLayout.storageCountKey(address), UInt64(-filled))
            }
        }
        for (hash, code) in changes.newCode {
            try context.write(EthereumStateLayout.codeKey(hash), StateValue(code))
        }
        if !changes.coinbaseCredit.isZero { try credit(changes.coinbaseCredit, to: block.coinbase, in: context) }
    }

    /// Deletes an existing account with its storage (SELFDESTRUCT, or
    /// EIP-161's empty touched account). When its live incarnation holds a
    /// non-zero slot (its storage count), a tombstone with the next
    /// incarnation replaces the account value and the count goes: the slots
    /// stay behind as unreachable garbage, in O(1). Without storage the
    /// account value goes too, unless the incarnation is past 0: then a
    /// tombstone keeps it, so that a later account at the address does not
    /// fall back onto an older incarnation's keys.
    private func delete(_ address: Address, incarnation: UInt64, through backend: ContextBackend) throws {
        let context = backend.context
        let accountKey = EthereumStateLayout.accountKey(address)
        let countKey = EthereumStateLayout.storageCountKey(address)
        if (try context.read(countKey)?.uint64Value ?? 0) > 0 {
            try context.write(accountKey, EthereumStateLayout.tombstoneValue(incarnation: incarnation + 1))
            try context.delete(countKey)
        } else if incarnation != 0 {
            if backend.hasLiveAccountValue(address) {
                try context.write(accountKey, EthereumStateLayout.tombstoneValue(incarnation: incarnation))
            }
        } else {
            try context.delete(accountKey)
        }
        try context.delete(EthereumStateLayout.balanceKey(address))
    }

    /// Credits the coinbase by a commutative delta (pevm's lazy
    /// beneficiary), so that the fee payments of a block do not chain its
    /// transactions on the coinbase's balance; a balance or credit beyond
    /// 128 bits fails the delta's bound check (see `EthereumStateLayout`)
    /// and falls back to a read-modify-write.
    private func credit(_ amount: UInt256, to address: Address, in context: ExecutionContext) throws {
        let key = EthereumStateLayout.balanceKey(address)
        if amount.l2 == 0, amount.l3 == 0 {
            do {
                try context.add(key, UInt128(amount.l1) << 64 | UInt128(amount.l0), upTo: EthereumStateLayout.deltaBalanceLimit)
                return
            } catch is DeltaError {}
        }
        let current = try context.read(key).flatMap(EthereumStateLayout.decodeBalance) ?? .zero
        try context.write(key, EthereumStateLayout.balanceValue(current &+ amount))
    }
}

extension Log {
    /// The log as the Parallax event `EVMTransaction` emits: the emitter is
    /// the address as a 32-byte word, the topics as they are.
    public var event: Event {
        let emitter = address.word
        return Event(emitter: EventWord(emitter.l3, emitter.l2, emitter.l1, emitter.l0),
                     topics: topics.map { EventWord($0.w0, $0.w1, $0.w2, $0.w3) }, data: data)
    }

    /// The log an `EVMTransaction` emitted as `event`.
    public init(_ event: Event) {
        let emitter = event.emitter
        self.init(address: Address(word: UInt256(emitter.w3, emitter.w2, emitter.w1, emitter.w0)),
                  topics: event.topics.map { Bytes32(w0: $0.w0, w1: $0.w1, w2: $0.w2, w3: $0.w3) }, data: event.data)
    }
}

/// An invalid Ethereum transaction as a Parallax rejection.
public struct EVMRejection: TransactionRejection, CustomStringConvertible {
    public let invalid: InvalidTransaction

    public init(_ invalid: InvalidTransaction) { self.invalid = invalid }

    public var rejectionReason: RejectionReason { RejectionReason(code: "invalid-transaction", detail: String(describing: invalid)) }
    public var description: String { rejectionReason.description }
}

/// The EVM's view of the world through the context: every read is a read of
/// the transaction (Block-STM records it and validates it), and the
/// accounts it loaded are kept to skip writes of unchanged values.
final class ContextBackend: EVMStateBackend {
    let context: ExecutionContext
    let blockHashes: [UInt64: Bytes32]
    private(set) var loadedAccounts: [Address: AccountInfo?] = [:]
    /// The loaded accounts whose storage incarnation is past 0 (none in a
    /// state that never deleted an account with storage), and whether their
    /// account key holds a live value rather than a tombstone.
    private var incarnations: [Address: (incarnation: UInt64, isLive: Bool)] = [:]

    init(context: ExecutionContext, blockHashes: [UInt64: Bytes32]) {
        self.context = context
        self.blockHashes = blockHashes
    }

    func account(_ address: Address) throws -> AccountInfo? {
        if let loaded = loadedAccounts[address] { return loaded }
        let basic = try context.read(EthereumStateLayout.accountKey(address)).flatMap(EthereumStateLayout.decodeAccountEntry)
        let balance = try context.read(EthereumStateLayout.balanceKey(address))
        if let basic, basic.incarnation != 0 { incarnations[address] = (basic.incarnation, basic.isLive) }
        let info: AccountInfo?
        if basic?.isLive != true, balance == nil {
            info = nil
        } else {
            let live = basic?.isLive == true ? basic : nil
            info = AccountInfo(nonce: live?.nonce ?? 0, balance: balance.flatMap(EthereumStateLayout.decodeBalance) ?? .zero,
                               codeHash: live?.codeHash ?? EmptyHashes.code)
        }
        loadedAccounts[address] = .some(info)
        return info
    }

    /// The storage incarnation of a loaded account.
    func incarnation(of address: Address) -> UInt64 {
        incarnations.isEmpty ? 0 : incarnations[address]?.incarnation ?? 0
    }

    /// Whether the account key of a loaded account with an incarnation past 0 holds a live value.
    func hasLiveAccountValue(_ address: Address) -> Bool { incarnations[address]?.isLive ?? false }

    func code(_ codeHash: Bytes32) throws -> [UInt8] {
        try context.read(EthereumStateLayout.codeKey(codeHash))?.bytes ?? []
    }

    /// The journal loads an account before any of its slots (`JournaledState.slot`),
    /// so the account's incarnation is known here.
    func storage(_ address: Address, _ slot: UInt256) throws -> UInt256 {
        assert(loadedAccounts[address] != nil, "a slot read before its account")
        let key = EthereumStateLayout.storageKey(address, slot, incarnation: incarnation(of: address))
        return try context.read(key).flatMap(EthereumStateLayout.decodeStorage)?.value ?? .zero
    }

    /// EIP-7610: whether the account has a non-zero slot (its storage count).
    func hasStorage(_ address: Address) throws -> Bool {
        (try context.read(EthereumStateLayout.storageCountKey(address))?.uint64Value ?? 0) > 0
    }

    func blockHash(_ number: UInt64) throws -> Bytes32? { blockHashes[number] }
}
