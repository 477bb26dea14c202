// The EVM's inputs for one vector, built from a parsed state test: the block
// environment from `env`, the transaction from the template and a post
// entry's indexes.
//
// Rules, as ethereum-spec-evm's `statetest` applies them (ethereum/execution-specs,
// `ethereum_spec_tools/evm_tools/statetest` and `t8n/env.py`):
// - chain id 1;
// - PREVRANDAO is `currentRandom` from Paris on (left-padded to 32 bytes),
//   DIFFICULTY is `currentDifficulty` before;
// - the base fee is `currentBaseFee` from London on (geth's default 10 when a
//   test omits it), the excess blob gas `currentExcessBlobGas` from Cancun on (0 when omitted);
// - BLOCKHASH knows one hash only: block 0's is `previousHash` when the test has one.
// Transaction type: 3 with blob hashes, 2 with a fee cap, 1 with an access
// list, else 0 (how the fillers chose the type of `txbytes`).

import ParallaxEthereum
import ParallaxEVM

/// Why a vector's transaction cannot be built: the fixture made it undecodable
/// on purpose (a field too wide for its type), so a valid vector expects it rejected.
struct UndecodableTransaction: Error, CustomStringConvertible {
    var field: String
    var description: String { "transaction field \(field) does not fit its type" }
}

extension StateTestEnvironment {
    func blockEnvironment(fork: Fork) -> BlockEnvironment {
        let difficulty32 = Bytes32(word: difficulty)
        return BlockEnvironment(
            coinbase: coinbase,
            number: number,
            timestamp: timestamp,
            gasLimit: gasLimit,
            baseFee: fork >= .london ? (baseFee ?? UInt256(10)) : .zero,
            prevRandao: fork >= .paris ? (random ?? difficulty32) : difficulty32,
            difficulty: fork >= .paris ? .zero : difficulty,
            excessBlobGas: fork >= .cancun ? (excessBlobGas ?? 0) : nil,
            chainID: 1
        )
    }

    var blockHashes: [UInt64: Bytes32] {
        previousHash.map { [0: $0] } ?? [:]
    }
}

extension TransactionTemplate {
    /// The transaction a post entry picks. `sender` is the signer's address.
    func transaction(for entry: PostEntry, sender: Address) throws(UndecodableTransaction) -> TransactionEnvironment {
        if let field = overflowingFields.first { throw UndecodableTransaction(field: field) }
        guard let gasLimit = gasLimits[entry.gasIndex] else { throw UndecodableTransaction(field: "gasLimit") }
        guard let value = values[entry.valueIndex] else { throw UndecodableTransaction(field: "value") }
        guard let nonce else { throw UndecodableTransaction(field: "nonce") }
        let accessList = accessLists?[entry.dataIndex] ?? nil
        let type: UInt8 =
            blobVersionedHashes != nil ? 3 : maxFeePerGas != nil ? 2 : accessList != nil ? 1 : 0
        return TransactionEnvironment(
            type: type,
            caller: sender,
            to: to,
            value: value,
            data: data[entry.dataIndex],
            nonce: nonce,
            gasLimit: gasLimit,
            gasPrice: gasPrice ?? maxFeePerGas ?? .zero,
            maxFeePerGas: maxFeePerGas ?? gasPrice ?? .zero,
            maxPriorityFeePerGas: maxPriorityFeePerGas ?? gasPrice ?? .zero,
            accessList: (accessList ?? []).map { ($0.address, $0.storageKeys) },
            blobVersionedHashes: blobVersionedHashes ?? [],
            maxFeePerBlobGas: maxFeePerBlobGas
        )
    }
}
