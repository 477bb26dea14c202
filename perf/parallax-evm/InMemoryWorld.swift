// The in-memory world of one state-test vector: the EVM's read backend over a
// parsed pre-state, the write-back of a transaction's `StateChanges`, and the
// post-state root.
//
// Write-back order (the contract of `StateChanges`): account infos first (nil
// deletes the account with its storage); then wipes of whole storages; then the
// changed slots (zero clears a slot) of accounts that still exist; then the
// coinbase's fee credit, which the EVM leaves to the caller as a commutative
// credit (an absent coinbase is created by a non-zero credit; a zero credit
// creates nothing: the EVM itself handles the EIP-161 touch).

import ParallaxEthereum
import ParallaxEVM

/// `EVMStateBackend` over a `WorldState`. Reads never fail.
struct InMemoryBackend: EVMStateBackend {
    var world: WorldState
    var blockHashes: [UInt64: Bytes32]

    func account(_ address: Address) throws -> AccountInfo? {
        guard let a = world.accounts[address] else { return nil }
        return AccountInfo(nonce: a.nonce, balance: a.balance, codeHash: a.codeHash)
    }

    func code(_ codeHash: Bytes32) throws -> [UInt8] {
        world.codes[codeHash] ?? []
    }

    func storage(_ address: Address, _ slot: UInt256) throws -> UInt256 {
        world.accounts[address]?.storage[slot] ?? .zero
    }

    func blockHash(_ number: UInt64) throws -> Bytes32? {
        blockHashes[number]
    }

    /// The pre-state holds only non-zero slots, so any slot means storage (EIP-7610).
    func hasStorage(_ address: Address) throws -> Bool {
        !(world.accounts[address]?.storage.isEmpty ?? true)
    }
}

extension WorldAccount {
    static let empty = WorldAccount(nonce: 0, balance: .zero, code: [], codeHash: EmptyHashes.code, storage: [:])
}

extension WorldState {
    /// Applies a transaction's changes (see the file header for the order).
    mutating func apply(_ changes: StateChanges, coinbase: Address) {
        for (hash, code) in changes.newCode { codes[hash] = code }
        for (address, info) in changes.accounts {
            guard let info else {
                accounts[address] = nil
                continue
            }
            var account = accounts[address] ?? .empty
            account.nonce = info.nonce
            account.balance = info.balance
            if account.codeHash != info.codeHash {
                account.codeHash = info.codeHash
                // A hash with no code known is an EVM bug; the root then shows it.
                account.code = info.codeHash == EmptyHashes.code ? [] : (codes[info.codeHash] ?? [])
            }
            accounts[address] = account
        }
        for address in changes.storageWiped {
            accounts[address]?.storage = [:]
        }
        for (address, slots) in changes.storage {
            guard accounts[address] != nil else { continue }
            for (slot, value) in slots {
                accounts[address]?.storage[slot] = value.isZero ? nil : value
            }
        }
        if !changes.coinbaseCredit.isZero {
            accounts[coinbase, default: .empty].balance = accounts[coinbase, default: .empty].balance &+ changes.coinbaseCredit
        }
    }

    /// The state root the state tests' `hash` is: the secure trie of RLP accounts.
    var stateRoot: Bytes32 {
        WorldStateRoot.compute(
            accounts: accounts.mapValues {
                WorldStateRoot.Account(nonce: $0.nonce, balance: $0.balance, code: $0.code, storage: $0.storage)
            }
        )
    }
}
