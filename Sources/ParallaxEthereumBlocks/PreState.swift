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

    /// The accounts a state of this layout holds: every account with an
    /// account or balance key, its code found by hash, its non-zero slots.
    /// Keys of other layouts are ignored.
    public static func accounts(in state: InMemoryState) -> [Address: PreStateAccount] {
        var accounts: [Address: PreStateAccount] = [:]
        var codeHashes: [Address: Bytes32] = [:]
        var codes: [Bytes32: [UInt8]] = [:]
        var storage: [Address: [UInt256: UInt256]] = [:]
        for (key, value) in state.entries {
            switch kind(of: key) {
            case .account?:
                let address = address(ofAddressKey: key)
                let (nonce, codeHash) = decodeAccount(value) ?? (0, EmptyHashes.code)
                accounts[address, default: PreStateAccount(nonce: 0, balance: .zero)].nonce = nonce
                codeHashes[address] = codeHash
            case .balance?:
                let address = address(ofAddressKey: key)
                accounts[address, default: PreStateAccount(nonce: 0, balance: .zero)].balance = decodeBalance(value) ?? .zero
            case .code?:
                codes[keccak256(value.bytes)] = value.bytes
            case .storage?:
                if let entry = decodeStorage(value) { storage[entry.address, default: [:]][entry.slot] = entry.value }
            case .storageCount?, nil:
                break
            }
        }
        for (address, slots) in storage where accounts[address] != nil { accounts[address]?.storage = slots }
        for (address, hash) in codeHashes where hash != EmptyHashes.code { accounts[address]?.code = codes[hash] ?? [] }
        return accounts
    }
}
