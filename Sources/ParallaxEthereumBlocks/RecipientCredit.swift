// Value transfers to an account that only receives, credited by delta.
//
// A block's transfers to one address (an exchange's deposit address, a
// payout's recipient) all read and write that address's balance, so under
// Block-STM each depends on the one before it. When the recipient has no
// code, the EVM reads its balance only to add the value to it: the
// transaction can add the value by commutative delta
// (`ExecutionContext.add`) instead, and such transfers no longer conflict
// with one another (pevm does the same for its "lazy" recipients).
//
// `BlockTransaction` takes that path when the transaction is a call with a
// value below 2^128 to an address that is neither its sender, the block's
// coinbase, nor a precompile (the EVM pays those differently), and the
// recipient's account key, read at execution, holds no code. The EVM then
// runs over a backend that shows the recipient with a zero balance and
// otherwise reads through the context, so the recipient's final balance in
// its result is exactly the value received; that is added by delta and the
// rest of the changes (sender, coinbase) written as `EVMTransaction` writes
// them. Anything else (code at the recipient, an account key absent, a
// credit that fails the delta's bound check, a result that is not a plain
// credit, an account deleted, an account value other than the plain
// nonce-and-code-hash form) runs the ordinary `EVMTransaction` instead;
// until then the path has only read, so nothing needs undoing.

import ParallaxEthereum
import ParallaxEVM
import ParallaxVMInterface

/// A block's EVM transaction, with the recipient credited by delta where it only receives.
struct BlockTransaction: Transaction {
    let evm: EVMTransaction
    /// The candidate for a delta credit (nil: always the ordinary path).
    let recipient: Address?

    init(_ evm: EVMTransaction, sender: Address) {
        self.evm = evm
        let tx = evm.environment
        if let to = tx.to, !tx.value.isZero, tx.value.l2 == 0, tx.value.l3 == 0, to != sender, to != evm.block.coinbase,
           !(to.hi == 0 && to.mid == 0 && to.lo <= 0xFFFF) {
            recipient = to
        } else {
            recipient = nil
        }
    }

    var gasLimit: UInt64 { evm.gasLimit }
    var feePolicy: FeePolicy { evm.feePolicy }
    var gasSchedule: GasSchedule { evm.gasSchedule }

    func execute(in context: ExecutionContext) throws {
        guard let recipient, try creditRecipient(recipient, in: context) else { return try evm.execute(in: context) }
    }

    /// The delta path; false when it does not apply (nothing written then).
    private func creditRecipient(_ recipient: Address, in context: ExecutionContext) throws -> Bool {
        guard let account = try context.read(EthereumStateLayout.accountKey(recipient)), let (nonce, codeHash) = plainAccount(account),
              codeHash == EmptyHashes.code
        else { return false }
        let backend = ReceiverBackend(context: context, recipient: recipient, recipientNonce: nonce, blockHashes: evm.blockHashes)
        let result: TransactionResult
        do {
            result = try EVM(fork: evm.fork).transact(evm.environment, block: evm.block, state: backend)
        } catch let invalid as InvalidTransaction {
            throw EVMRejection(invalid)
        } catch is NotPlainAccount {
            return false
        }
        let value = evm.environment.value
        guard result.status == .success, result.logs.isEmpty, result.changes.storage.isEmpty, result.changes.newCode.isEmpty,
              case .some(.some(let credited)) = result.changes.accounts[recipient],
              credited.balance == value, credited.nonce == nonce, credited.codeHash == EmptyHashes.code
        else { return false }
        do {
            try context.add(EthereumStateLayout.balanceKey(recipient), UInt128(value.l1) << 64 | UInt128(value.l0),
                            upTo: EthereumStateLayout.deltaBalanceLimit)
        } catch is DeltaError {
            return false
        }
        // A deletion (EIP-161's empty touched coinbase) is the ordinary path's to write.
        guard !result.changes.accounts.values.contains(where: { $0 == nil }) else { return false }
        for (address, info) in result.changes.accounts where address != recipient {
            let original = backend.loadedAccounts[address] ?? nil
            guard let info else { continue }
            if original?.nonce != info.nonce || original?.codeHash != info.codeHash {
                try context.write(EthereumStateLayout.accountKey(address),
                                  EthereumStateLayout.accountValue(nonce: info.nonce, codeHash: info.codeHash))
            }
            if original?.balance != info.balance {
                if info.balance.isZero {
                    try context.delete(EthereumStateLayout.balanceKey(address))
                } else {
                    try context.write(EthereumStateLayout.balanceKey(address), EthereumStateLayout.balanceValue(info.balance))
                }
            }
        }
        try creditBalance(result.changes.coinbaseCredit, to: evm.block.coinbase, in: context)
        try context.chargeGas(result.gasUsed)
        context.setReturnData(result.output)
        return true
    }
}

/// The nonce and code hash of a plain account value: 8 bytes (nonce) or 40
/// (nonce and code hash), the forms `EthereumStateLayout.accountValue`
/// gives an account with no storage history; nil for any other value (the
/// ordinary path reads those).
private func plainAccount(_ value: StateValue) -> (nonce: UInt64, codeHash: Bytes32)? {
    guard value.count == 8 || value.count == 40 else { return nil }
    return EthereumStateLayout.decodeAccount(value)
}

/// An account value the delta path leaves to the ordinary one.
private struct NotPlainAccount: Error {}

/// The world through the context, but for the recipient, shown with its
/// nonce, no code and a zero balance (its balance key is never read). An
/// account value that is not plain (see `plainAccount`) stops the EVM with
/// `NotPlainAccount`.
private final class ReceiverBackend: EVMStateBackend {
    let context: ExecutionContext
    let recipient: Address
    let recipientNonce: UInt64
    let blockHashes: [UInt64: Bytes32]
    private(set) var loadedAccounts: [Address: AccountInfo?] = [:]

    init(context: ExecutionContext, recipient: Address, recipientNonce: UInt64, blockHashes: [UInt64: Bytes32]) {
        self.context = context
        self.recipient = recipient
        self.recipientNonce = recipientNonce
        self.blockHashes = blockHashes
    }

    func account(_ address: Address) throws -> AccountInfo? {
        if address == recipient { return AccountInfo(nonce: recipientNonce, balance: .zero, codeHash: EmptyHashes.code) }
        if let loaded = loadedAccounts[address] { return loaded }
        let basic = try context.read(EthereumStateLayout.accountKey(address))
        let balance = try context.read(EthereumStateLayout.balanceKey(address))
        let info: AccountInfo?
        if basic == nil, balance == nil {
            info = nil
        } else {
            let plain = try basic.map { value throws -> (nonce: UInt64, codeHash: Bytes32) in
                guard let plain = plainAccount(value) else { throw NotPlainAccount() }
                return plain
            }
            let (nonce, codeHash) = plain ?? (0, EmptyHashes.code)
            info = AccountInfo(nonce: nonce, balance: balance.flatMap(EthereumStateLayout.decodeBalance) ?? .zero, codeHash: codeHash)
        }
        loadedAccounts[address] = .some(info)
        return info
    }

    func code(_ codeHash: Bytes32) throws -> [UInt8] {
        try context.read(EthereumStateLayout.codeKey(codeHash))?.bytes ?? []
    }

    /// Plain accounts only (no storage history), so the slot's key is the plain one.
    func storage(_ address: Address, _ slot: UInt256) throws -> UInt256 {
        try context.read(EthereumStateLayout.storageKey(address, slot)).flatMap(EthereumStateLayout.decodeStorage)?.value ?? .zero
    }

    func hasStorage(_ address: Address) throws -> Bool {
        (try context.read(EthereumStateLayout.storageCountKey(address))?.uint64Value ?? 0) > 0
    }

    func blockHash(_ number: UInt64) throws -> Bytes32? { blockHashes[number] }
}
