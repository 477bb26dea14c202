// A block's pre-state on Parallax keys (`EthereumStateLayout`): per account
// its nonce and code hash, its balance when non-zero, its code by hash, its
// non-zero slots and their count (EIP-7610's question), and back.

import ParallaxEthereum
import ParallaxEVM
import ParallaxExecution
import ParallaxVMInterface

extension EthereumStateLayout {
    /// The entries holding `accounts`. Every account listed exists (its
    /// account key is written even when it is empty); zero slots are left out.
    public static func entries(of accounts: [Address: PreStateAccount]) -> [StateKey: StateValue] {
        var entries: [StateKey: StateValue] = [:]
        entries.reserveCapacity(accounts.count * 3)
        for (address, account) in accounts {
            let codeHash = account.code.isEmpty ? EmptyHashes.code : keccak256(account.code)
            entries[accountKey(address)] = accountValue(nonce: account.nonce, codeHash: codeHash)
            if !account.balance.isZero { entries[balanceKey(address)] = balanceValue(account.balance) }
            if !account.code.isEmpty { entries[codeKey(codeHash)] = StateValue(account.code) }
            var filled: UInt64 = 0
            for (slot, value) in account.storage where !value.isZero {
                entries[storageKey(address, slot)] = storageValue(address, slot, value)
                filled += 1
            }
            if filled > 0 { entries[storageCountKey(address)] = storageCountValue(filled) }
        }
        return entries
    }

    /// The accounts a state of this layout holds: the live accounts of
    /// `liveAccounts(in:)` (storage of the live incarnation only), each
    /// with its code found by hash. Keys of other layouts are ignored.
    public static func accounts(in state: InMemoryState) -> [Address: PreStateAccount] {
        var codes: [Bytes32: [UInt8]] = [:]
        for (key, value) in state.entries where kind(of: key) == .code { codes[keccak256(value.bytes)] = value.bytes }
        return liveAccounts(in: state.entries).mapValues { account in
            PreStateAccount(nonce: account.nonce, balance: account.balance,
                            code: account.codeHash == EmptyHashes.code ? [] : codes[account.codeHash] ?? [], storage: account.storage)
        }
    }
}
