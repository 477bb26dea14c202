// The state-test vectors through the Parallax executors: the pre-state laid
// out on Parallax keys (`EthereumStateLayout`), the transaction as an
// `EVMTransaction` in a one-transaction block, and the post-state read back
// from the keys. The sequential executor (the oracle) and the parallel one
// (Block-STM) must both reproduce the direct EVM's roots.

import ParallaxEthereum
import ParallaxEVM
import ParallaxExecution

struct EngineVectorExecutor: VectorExecutor {
    let executor: any BlockExecutor

    func execute(
        pre: WorldState,
        transaction: TransactionEnvironment,
        block: BlockEnvironment,
        blockHashes: [UInt64: Bytes32],
        fork: Fork
    ) -> VectorOutcome {
        let base = InMemoryState(EngineVectorExecutor.entries(of: pre))
        let evmTransaction = EVMTransaction(transaction, block: block, fork: fork, blockHashes: blockHashes)
        let output = executor.execute([evmTransaction], on: base)
        let result = output.transactions[0]
        switch result.status {
        case .rejected(let reason):
            return .rejected(reason: reason.detail)
        case .reverted(let reason) where reason.hasPrefix("precompile "):
            return .skipped(reason: reason)
        case .reverted(let reason):
            return .failed(error: reason)
        case .outOfGas, .undeclaredAccess:
            return .failed(error: "the EVM transaction ended as \(result.status) in the executor")
        case .success, .failed:
            var post = base
            post.apply(output.stateDelta)
            return .included(post: EngineVectorExecutor.world(from: post), logs: result.events.map(Log.init))
        }
    }

    static func entries(of world: WorldState) -> [StateKey: StateValue] {
        var entries: [StateKey: StateValue] = [:]
        for (address, account) in world.accounts {
            entries[EthereumStateLayout.accountKey(address)] = EthereumStateLayout.accountValue(nonce: account.nonce, codeHash: account.codeHash)
            if !account.balance.isZero {
                entries[EthereumStateLayout.balanceKey(address)] = EthereumStateLayout.balanceValue(account.balance)
            }
            var filled: UInt64 = 0
            for (slot, value) in account.storage where !value.isZero {
                entries[EthereumStateLayout.storageKey(address, slot)] = EthereumStateLayout.storageValue(address, slot, value)
                filled += 1
            }
            if filled > 0 { entries[EthereumStateLayout.storageCountKey(address)] = EthereumStateLayout.storageCountValue(filled) }
        }
        for (hash, code) in world.codes where !code.isEmpty {
            entries[EthereumStateLayout.codeKey(hash)] = StateValue(code)
        }
        return entries
    }

    /// The world a key-value state holds (every key must be of the layout).
    static func world(from state: InMemoryState) -> WorldState {
        var accounts: [Address: WorldAccount] = [:]
        var codes: [Bytes32: [UInt8]] = [:]
        var storage: [Address: [UInt256: UInt256]] = [:]
        for (key, value) in state.entries {
            switch EthereumStateLayout.kind(of: key) {
            case .account?:
                let address = EthereumStateLayout.address(ofAddressKey: key)
                let (nonce, codeHash) = EthereumStateLayout.decodeAccount(value) ?? (0, EmptyHashes.code)
                accounts[address, default: .empty].nonce = nonce
                accounts[address, default: .empty].codeHash = codeHash
            case .balance?:
                let address = EthereumStateLayout.address(ofAddressKey: key)
                accounts[address, default: .empty].balance = EthereumStateLayout.decodeBalance(value) ?? .zero
            case .code?:
                codes[keccak256(value.bytes)] = value.bytes
            case .storage?:
                if let entry = EthereumStateLayout.decodeStorage(value) { storage[entry.address, default: [:]][entry.slot] = entry.value }
            case .storageCount?, nil:
                break   // not Ethereum state
            }
        }
        for (address, slots) in storage { accounts[address]?.storage = slots }
        for (address, account) in accounts { accounts[address]?.code = codes[account.codeHash] ?? [] }
        return WorldState(accounts: accounts, codes: codes)
    }
}
