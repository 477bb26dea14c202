// The state of one transaction over an `EVMStateBackend`, with undo.
//
// Modeled on revm's JournaledState: accounts load lazily from the backend
// (info, then code, then each storage slot with its value at transaction
// start, the "original" of EIP-2200); every change appends an entry holding
// the value it replaced, and a checkpoint is the journal's length. Reverting a
// frame pops entries back to its checkpoint and restores each old value, so a
// nested frame's revert undoes exactly its own changes: balances, nonces,
// storage, code, created and self-destructed marks, EIP-161 touches, EIP-2929
// warm marks, EIP-1153 transient storage and logs.
//
// Invariants: an account is loaded at most once per transaction (the dictionary
// owns it; entries name it by address); loading itself is never journaled
// because it changes nothing observable. Backend errors propagate unchanged.

import ParallaxEthereum

/// One storage slot: its value at transaction start and now.
struct SlotValue {
    var original: UInt256
    var current: UInt256
}

/// A storage or transient-storage key.
struct SlotKey: Hashable {
    var address: Address
    var slot: UInt256
}

/// An account loaded into the journal.
final class JournalAccount {
    var info: AccountInfo
    /// The account existed in the backend (`account` was non-nil).
    let existedBefore: Bool
    /// Loaded lazily; nil until first needed.
    var code: [UInt8]?
    var storage: [UInt256: SlotValue] = [:]
    /// Created by this transaction (EIP-6780 lets SELFDESTRUCT delete only these).
    var created = false
    /// Prior storage was wiped by a CREATE onto this address: unloaded slots read zero.
    var storageCleared = false
    var selfDestructed = false
    /// EIP-161 touched: written back, and deleted at the end when empty.
    var touched = false

    init(info: AccountInfo, existed: Bool) {
        self.info = info
        self.existedBefore = existed
        if info.codeHash == EmptyHashes.code { code = [] }
    }
}

/// An undoable change: each case holds what it replaced.
enum JournalEntry {
    case warmedAccount(Address)
    case warmedSlot(SlotKey)
    case balance(Address, UInt256)
    case nonce(Address, UInt64)
    case code(Address, Bytes32, [UInt8]?)
    case storage(Address, UInt256, UInt256)
    case transient(SlotKey, UInt256)
    case created(Address, storage: [UInt256: SlotValue], storageCleared: Bool)
    case selfDestructed(Address)
    case touched(Address)
}

/// A point to revert to.
struct Checkpoint {
    var journalLength: Int
    var logCount: Int
    /// Taken by a frame below the transaction's top frame: reverting it keeps
    /// a touch of RIPEMD-160's address (see `JournaledState.revert`).
    var nested: Bool
}

final class JournaledState {
    let backend: any EVMStateBackend
    let fork: Fork
    private(set) var accounts: [Address: JournalAccount] = [:]
    private var journal: [JournalEntry] = []
    private(set) var warmAccounts: Set<Address> = []
    private var warmSlots: Set<SlotKey> = []
    private var transient: [SlotKey: UInt256] = [:]
    var logs: [Log] = []

    init(backend: any EVMStateBackend, fork: Fork) {
        self.backend = backend
        self.fork = fork
        journal.reserveCapacity(64)
    }

    // MARK: Loading

    func account(_ address: Address) throws -> JournalAccount {
        if let a = accounts[address] { return a }
        let info = try backend.account(address)
        let a = JournalAccount(
            info: info ?? AccountInfo(nonce: 0, balance: .zero, codeHash: EmptyHashes.code), existed: info != nil)
        accounts[address] = a
        return a
    }

    func isLoaded(_ address: Address) -> Bool { accounts[address] != nil }

    /// Whether a loaded account exists in the sense of the forks before
    /// Spurious Dragon: it was in the backend, or this transaction touched
    /// it into being (and has not reverted that), even with nothing in it.
    func exists(_ account: JournalAccount) -> Bool { account.existedBefore || account.touched }

    func code(_ address: Address) throws -> [UInt8] {
        let a = try account(address)
        if let c = a.code { return c }
        let c = try backend.code(a.info.codeHash)
        a.code = c
        return c
    }

    /// The slot's value record, loading it on first use.
    func slot(_ address: Address, _ key: UInt256) throws -> SlotValue {
        let a = try account(address)
        if let v = a.storage[key] { return v }
        let value = a.storageCleared ? UInt256.zero : try backend.storage(address, key)
        let v = SlotValue(original: value, current: value)
        a.storage[key] = v
        return v
    }

    // MARK: Warm sets (EIP-2929)

    /// Marks the address warm; returns whether it was cold.
    @discardableResult
    func warmAccount(_ address: Address) -> Bool {
        if warmAccounts.insert(address).inserted {
            journal.append(.warmedAccount(address))
            return true
        }
        return false
    }

    /// Marks the slot warm; returns whether it was cold.
    @discardableResult
    func warmSlot(_ address: Address, _ key: UInt256) -> Bool {
        let k = SlotKey(address: address, slot: key)
        if warmSlots.insert(k).inserted {
            journal.append(.warmedSlot(k))
            return true
        }
        return false
    }

    /// Warm without journaling: the transaction's initial warm set never reverts.
    func prewarm(_ address: Address) { warmAccounts.insert(address) }
    func prewarm(_ address: Address, _ key: UInt256) { warmSlots.insert(SlotKey(address: address, slot: key)) }

    // MARK: Changes

    func touch(_ address: Address) throws {
        let a = try account(address)
        if !a.touched {
            a.touched = true
            journal.append(.touched(address))
        }
    }

    func setBalance(_ address: Address, _ balance: UInt256) throws {
        let a = try account(address)
        journal.append(.balance(address, a.info.balance))
        a.info.balance = balance
        try touch(address)
    }

    func setNonce(_ address: Address, _ nonce: UInt64) throws {
        let a = try account(address)
        journal.append(.nonce(address, a.info.nonce))
        a.info.nonce = nonce
        try touch(address)
    }

    func setCode(_ address: Address, _ code: [UInt8], hash: Bytes32) throws {
        let a = try account(address)
        journal.append(.code(address, a.info.codeHash, a.code))
        a.info.codeHash = hash
        a.code = code
        try touch(address)
    }

    func setStorage(_ address: Address, _ key: UInt256, _ value: UInt256) throws {
        let a = try account(address)
        let old = try slot(address, key)
        journal.append(.storage(address, key, old.current))
        a.storage[key] = SlotValue(original: old.original, current: value)
    }

    func transientValue(_ address: Address, _ key: UInt256) -> UInt256 {
        transient[SlotKey(address: address, slot: key)] ?? .zero
    }

    func setTransient(_ address: Address, _ key: UInt256, _ value: UInt256) {
        let k = SlotKey(address: address, slot: key)
        journal.append(.transient(k, transient[k] ?? .zero))
        transient[k] = value
    }

    /// Moves `value` between two accounts; false (nothing changed) when the
    /// sender's balance is short. Touches both (EIP-161).
    func transfer(from: Address, to: Address, value: UInt256) throws -> Bool {
        let f = try account(from)
        if f.info.balance < value { return false }
        let t = try account(to)
        _ = t
        if value.isZero {
            try touch(from)
            try touch(to)
            return true
        }
        try setBalance(from, f.info.balance &- value)
        let tb = try account(to).info.balance
        try setBalance(to, tb &+ value)
        return true
    }

    /// Starts a new contract at `address`: nonce 1 from Spurious Dragon on
    /// (EIP-161), prior storage wiped, marked created in this transaction.
    func markCreated(_ address: Address) throws {
        let a = try account(address)
        journal.append(.created(address, storage: a.storage, storageCleared: a.storageCleared))
        a.created = true
        a.storageCleared = true
        a.storage = [:]
        if fork >= .spuriousDragon { try setNonce(address, 1) }
        try touch(address)
    }

    func markSelfDestructed(_ address: Address) throws {
        let a = try account(address)
        if !a.selfDestructed {
            journal.append(.selfDestructed(address))
            a.selfDestructed = true
        }
    }

    // MARK: Checkpoints

    func checkpoint(nested: Bool) -> Checkpoint {
        Checkpoint(journalLength: journal.count, logCount: logs.count, nested: nested)
    }

    /// The RIPEMD-160 precompile, whose touch a failed nested frame keeps.
    static let ripemd160 = Address(hi: 0, mid: 0, lo: 3)

    /// Undoes every change after `checkpoint`.
    ///
    /// One exception, from Spurious Dragon on: a touch of 0x03 (RIPEMD-160)
    /// survives the failure of a nested frame and passes to its parent (where
    /// the parent's own failure may pass it on again, or the top frame's
    /// failure drops it with everything else). Mainnet block 2675119 deleted
    /// the empty account 0x03 after a call to it ran out of gas, through a
    /// client bug that went unnoticed; every client, and the execution
    /// specs' `incorporate_child_on_error`, keep that behaviour.
    func revert(to checkpoint: Checkpoint) {
        var keptTouch = false
        while journal.count > checkpoint.journalLength {
            switch journal.removeLast() {
            case .warmedAccount(let a): warmAccounts.remove(a)
            case .warmedSlot(let k): warmSlots.remove(k)
            case .balance(let a, let old): accounts[a]?.info.balance = old
            case .nonce(let a, let old): accounts[a]?.info.nonce = old
            case .code(let a, let hash, let code):
                accounts[a]?.info.codeHash = hash
                accounts[a]?.code = code
            case .storage(let a, let key, let old): accounts[a]?.storage[key]?.current = old
            case .transient(let k, let old): transient[k] = old.isZero ? nil : old
            case .created(let a, let storage, let cleared):
                accounts[a]?.created = false
                accounts[a]?.storage = storage
                accounts[a]?.storageCleared = cleared
            case .selfDestructed(let a): accounts[a]?.selfDestructed = false
            case .touched(let a):
                if checkpoint.nested && a == JournaledState.ripemd160 && fork >= .spuriousDragon {
                    keptTouch = true
                } else {
                    accounts[a]?.touched = false
                }
            }
        }
        // Still touched: journaled again in the parent's range, so that the top frame's failure undoes it.
        if keptTouch { journal.append(.touched(JournaledState.ripemd160)) }
        if logs.count > checkpoint.logCount { logs.removeSubrange(checkpoint.logCount...) }
    }

    /// Forgets the undo entries (end of transaction setup: what is done stays).
    func commitJournal() { journal.removeAll(keepingCapacity: true) }

    // MARK: Output

    /// The changes of the transaction. Accounts marked self-destructed are
    /// deleted (EIP-6780 marks only those created in this transaction from
    /// Cancun on); from Spurious Dragon on, touched accounts left empty are
    /// deleted (EIP-161).
    func stateChanges() -> StateChanges {
        var changes = StateChanges()
        for (address, a) in accounts {
            let deleted = a.selfDestructed || (a.touched && fork >= .spuriousDragon && a.info.isEmpty)
            if deleted {
                if a.existedBefore || a.touched { changes.accounts[address] = .some(nil) }
                continue
            }
            if a.touched { changes.accounts[address] = .some(a.info) }
            if a.created {
                changes.storageWiped.insert(address)
                if a.info.codeHash != EmptyHashes.code, let code = a.code { changes.newCode[a.info.codeHash] = code }
            }
            var slots: [UInt256: UInt256] = [:]
            var filled = 0
            for (key, v) in a.storage where v.current != v.original || (a.storageCleared && !v.current.isZero) {
                slots[key] = v.current
                filled += (v.current.isZero ? 0 : 1) - (v.original.isZero ? 0 : 1)
            }
            if !slots.isEmpty { changes.storage[address] = slots }
            if filled != 0 { changes.filledSlots[address] = filled }
        }
        return changes
    }
}
