// The state-test vectors through the Parallax executors: the pre-state laid
// out on Parallax keys (`EthereumStateLayout`), the transaction as an
// `EVMTransaction` in a one-transaction block, and the post-state read back
// from the keys. The sequential executor (the oracle) and the parallel one
// (Block-STM) must both reproduce the direct EVM's roots.

import ParallaxEthereum
import ParallaxEVM
import ParallaxEthereumBlocks
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

    /// The world on Parallax keys: `EthereumStateLayout.entries(of:)` of the block executor's library.
    static func entries(of world: WorldState) -> [StateKey: StateValue] {
        EthereumStateLayout.entries(of: world.accounts.mapValues {
            PreStateAccount(nonce: $0.nonce, balance: $0.balance, code: $0.code, storage: $0.storage)
        })
    }

    /// The world a key-value state holds (`EthereumStateLayout.liveAccounts`:
    /// live accounts, the slots of their live storage incarnations), with the
    /// code found by hash among the state's code keys.
    static func world(from state: InMemoryState) -> WorldState {
        var codes: [Bytes32: [UInt8]] = [:]
        for (key, value) in state.entries where EthereumStateLayout.kind(of: key) == .code {
            codes[keccak256(value.bytes)] = value.bytes
        }
        let accounts = EthereumStateLayout.liveAccounts(in: state.entries).mapValues { account in
            WorldAccount(nonce: account.nonce, balance: account.balance, code: codes[account.codeHash] ?? [],
                         codeHash: account.codeHash, storage: account.storage)
        }
        return WorldState(accounts: accounts, codes: codes)
    }
}
