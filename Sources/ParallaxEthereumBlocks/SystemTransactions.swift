// The state changes of a block that no signed transaction makes, as Parallax
// transactions placed before or after the block's own, so that both
// executors apply them in block order and the parallel one validates their
// reads like any other:
// - `DAOForkTransaction` (first, at the DAO fork block): each drain-list
//   balance moves to the refund contract;
// - `BeaconRootTransaction` (first, from Cancun; EIP-4788): the parent
//   beacon block root stored in the beacon-roots contract;
// - `BalanceCreditsTransaction` (last): the block and ommer rewards before
//   the merge, the withdrawals from Shanghai, each a balance credit.
//
// Credits go by commutative delta (`ExecutionContext.add`) like the EVM's
// coinbase fee, so the last transaction conflicts with none before it; a
// balance beyond 128 bits falls back to a read-modify-write (see
// `EthereumStateLayout`).
//
// EIP-4788's system call runs the beacon-roots contract as the system
// address with the root as input; that contract (its code is fixed by the
// EIP) stores `timestamp` at slot `timestamp % 8191` and the root at slot
// `timestamp % 8191 + 8191`, and nothing else. `BeaconRootTransaction`
// writes those two slots directly when the contract has code, and does
// nothing otherwise (the call to an account without code does nothing).

import ParallaxEthereum
import ParallaxEVM
import ParallaxVMInterface

/// Credits `amount` to the balance of `address` (created if absent).
func creditBalance(_ amount: UInt256, to address: Address, in context: ExecutionContext) throws {
    guard !amount.isZero else { return }
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

/// Balance credits after a block's transactions: rewards and withdrawals.
struct BalanceCreditsTransaction: Transaction {
    let credits: [(Address, UInt256)]

    var gasLimit: UInt64 { 0 }
    var feePolicy: FeePolicy { .none }
    var gasSchedule: GasSchedule { .free }

    func execute(in context: ExecutionContext) throws {
        for (address, amount) in credits { try creditBalance(amount, to: address, in: context) }
    }
}

/// The DAO fork's irregular state change.
struct DAOForkTransaction: Transaction {
    var gasLimit: UInt64 { 0 }
    var feePolicy: FeePolicy { .none }
    var gasSchedule: GasSchedule { .free }

    func execute(in context: ExecutionContext) throws {
        var drained = UInt256.zero
        for address in DAOFork.drainList {
            let key = EthereumStateLayout.balanceKey(address)
            guard let balance = try context.read(key).flatMap(EthereumStateLayout.decodeBalance), !balance.isZero else { continue }
            drained = drained &+ balance
            // The account keeps existing with a zero balance (before EIP-161 an empty account is
            // still an account): without a live account value, one is written (keeping a
            // tombstone's storage incarnation).
            let accountKey = EthereumStateLayout.accountKey(address)
            let entry = try context.read(accountKey).flatMap(EthereumStateLayout.decodeAccountEntry)
            if entry?.isLive != true {
                try context.write(accountKey, EthereumStateLayout.accountValue(
                    nonce: 0, codeHash: EmptyHashes.code, incarnation: entry?.incarnation ?? 0))
            }
            try context.delete(key)
        }
        try creditBalance(drained, to: DAOFork.refundContract, in: context)
    }
}

/// EIP-4788: the parent beacon block root into the beacon-roots contract.
struct BeaconRootTransaction: Transaction {
    /// EIP-4788's BEACON_ROOTS_ADDRESS.
    static let contract = Address(hex: "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02")!
    /// EIP-4788's HISTORY_BUFFER_LENGTH.
    static let historyLength: UInt64 = 8191

    let timestamp: UInt64
    let root: Bytes32

    var gasLimit: UInt64 { 0 }
    var feePolicy: FeePolicy { .none }
    var gasSchedule: GasSchedule { .free }

    func execute(in context: ExecutionContext) throws {
        let contract = BeaconRootTransaction.contract
        guard let account = try context.read(EthereumStateLayout.accountKey(contract)),
              let entry = EthereumStateLayout.decodeAccountEntry(account), entry.isLive, entry.codeHash != EmptyHashes.code
        else { return }
        let index = timestamp % BeaconRootTransaction.historyLength
        var filled: Int64 = 0
        for (slot, value) in [(UInt256(index), UInt256(timestamp)), (UInt256(index + BeaconRootTransaction.historyLength), root.word)] {
            let key = EthereumStateLayout.storageKey(contract, slot, incarnation: entry.incarnation)
            let before = try context.read(key).flatMap(EthereumStateLayout.decodeStorage)?.value ?? .zero
            if before.isZero != value.isZero { filled += value.isZero ? -1 : 1 }
            if value.isZero {
                try context.delete(key)
            } else {
                try context.write(key, EthereumStateLayout.storageValue(contract, slot, value))
            }
        }
        let countKey = EthereumStateLayout.storageCountKey(contract)
        if filled > 0 { try context.add(countKey, UInt64(filled)) } else if filled < 0 { try context.subtract(countKey, UInt64(-filled)) }
    }
}
