// "Execute this vector": one pre-state, one transaction, one block, one fork
// in; the included post-state and logs, or the rejection, out.
//
// The runner knows only this protocol, so that the Parallax executors (an
// adapter running `EVM.transact` as a Parallax transaction) slot in beside the
// sequential in-memory implementation without touching the parsing or the
// reporting.

import ParallaxEthereum
import ParallaxEVM

/// What executing one vector gave.
enum VectorOutcome {
    /// The transaction was valid and included: the state after it and its logs.
    case included(post: WorldState, logs: [Log])
    /// The transaction is invalid and not included: the state is unchanged.
    case rejected(reason: String)
    /// The EVM cannot run this vector yet (a precompile it lacks): neither a pass nor a failure.
    case skipped(reason: String)
    /// The EVM failed in a way no vector expects (an error other than an invalid transaction).
    case failed(error: String)
}

protocol VectorExecutor {
    func execute(
        pre: WorldState,
        transaction: TransactionEnvironment,
        block: BlockEnvironment,
        blockHashes: [UInt64: Bytes32],
        fork: Fork
    ) -> VectorOutcome
}

/// `EVM.transact` over the in-memory pre-state, changes written back by the caller's rules.
struct SequentialVectorExecutor: VectorExecutor {
    func execute(
        pre: WorldState,
        transaction: TransactionEnvironment,
        block: BlockEnvironment,
        blockHashes: [UInt64: Bytes32],
        fork: Fork
    ) -> VectorOutcome {
        let backend = InMemoryBackend(world: pre, blockHashes: blockHashes)
        do {
            let result = try EVM(fork: fork).transact(transaction, block: block, state: backend)
            var post = pre
            post.apply(result.changes, coinbase: block.coinbase)
            return .included(post: post, logs: result.logs)
        } catch let invalid as InvalidTransaction {
            return .rejected(reason: invalid.description)
        } catch let missing as EVMError {
            switch missing {
            case .precompileNotImplemented: return .skipped(reason: missing.description)
            }
        } catch {
            return .failed(error: String(describing: error))
        }
    }
}
