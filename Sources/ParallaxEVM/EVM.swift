// Transaction processing (Yellow Paper section 6; EIP-1559, EIP-2930,
// EIP-3607, EIP-3860, EIP-4844): validity checks that leave the state
// untouched when they fail, then gas purchase, nonce bump, the EIP-2929 warm
// set, the call or create, the EIP-3529 refund, the sender's unused gas back,
// and the coinbase's priority fee.
//
// The coinbase fee is the one write most transactions of a block share; to
// keep transactions independent it is reported as `coinbaseCredit` (a
// commutative credit) unless the transaction loaded the coinbase for another
// reason, in which case it is applied in place (the transaction depends on the
// coinbase then anyway). A zero fee still touches the coinbase (EIP-161).

import ParallaxEthereum

public struct EVM: Sendable {
    public let fork: Fork

    public init(fork: Fork) {
        self.fork = fork
    }

    static let blobGasPerBlob: UInt64 = 131_072
    static let maxBlobsPerBlock = 6

    /// The gas a transaction pays before any code runs.
    public func intrinsicGas(_ tx: TransactionEnvironment) -> UInt64 {
        var gas: UInt64 = 21000
        let isCreate = tx.to == nil
        if isCreate && fork >= .homestead { gas += 32000 }
        let nonZeroCost: UInt64 = fork >= .istanbul ? 16 : 68
        for b in tx.data { gas += b == 0 ? 4 : nonZeroCost }
        for (_, keys) in tx.accessList { gas += 2400 + 1900 * UInt64(keys.count) }
        if isCreate && fork >= .shanghai { gas += 2 * UInt64((tx.data.count + 31) / 32) }
        return gas
    }

    public func transact(
        _ tx: TransactionEnvironment, block: BlockEnvironment, state backend: some EVMStateBackend
    ) throws -> TransactionResult {
        let state = JournaledState(backend: backend, fork: fork)
        let effectiveGasPrice = try validate(tx, block: block, state: state)
        let sender = try state.account(tx.caller)

        // Purchase gas (blob gas is burned), bump the nonce.
        let blobGas = UInt64(tx.blobVersionedHashes.count) * EVM.blobGasPerBlob
        let blobFee = tx.type == 3 ? UInt256(blobGas) &* block.blobBaseFee : .zero
        let gasCost = UInt256(tx.gasLimit) &* effectiveGasPrice
        try state.setBalance(tx.caller, sender.info.balance &- gasCost &- blobFee)
        try state.setNonce(tx.caller, tx.nonce + 1)

        // EIP-2929 / EIP-2930 / EIP-3651 warm set.
        let target = tx.to ?? computeCreateAddress(tx.caller, nonce: tx.nonce)
        if fork >= .berlin {
            state.prewarm(tx.caller)
            state.prewarm(target)
            for p in Precompile.addresses(fork) { state.prewarm(p) }
            for (address, keys) in tx.accessList {
                state.prewarm(address)
                for k in keys { state.prewarm(address, k) }
            }
            if fork >= .shanghai { state.prewarm(block.coinbase) }
        }
        state.commitJournal()

        let machine = Machine(state: state, fork: fork, block: block, tx: tx, gasPrice: effectiveGasPrice)
        let gas = Int64(clamping: tx.gasLimit - intrinsicGas(tx))
        let start: Machine.Start
        if tx.to != nil {
            start = try machine.startCall(
                CallRequest(
                    target: target, codeAddress: target, caller: tx.caller, value: tx.value, transfers: true,
                    input: tx.data, gas: gas, isStatic: false),
                parent: nil)
        } else {
            start = try machine.enterCreate(
                CreateRequest(caller: tx.caller, value: tx.value, initcode: tx.data, salt: nil, gas: gas),
                address: target, depth: 0)
        }
        let outcome: ChildOutcome
        switch start {
        case .frame(let frame): outcome = try machine.execute(frame)
        case .immediate(let o): outcome = o
        }

        let status: ExecutionStatus
        var output: [UInt8] = []
        switch outcome.end {
        case .success(let out):
            status = .success
            output = out
        case .revert(let out):
            status = .revert
            output = out
        case .halt(let reason):
            status = .halt(reason)
        }

        // Refund (EIP-3529: at most a fifth of the gas used from London, half before).
        let gasLeft = UInt64(max(0, outcome.gasLeft))
        var gasUsed = tx.gasLimit - gasLeft
        var refund: UInt64 = 0
        if status == .success && outcome.refund > 0 {
            refund = min(UInt64(outcome.refund), gasUsed / (fork >= .london ? 5 : 2))
        }
        gasUsed -= refund
        let returned = UInt256(tx.gasLimit - gasUsed) &* effectiveGasPrice
        let senderNow = try state.account(tx.caller).info.balance
        try state.setBalance(tx.caller, senderNow &+ returned)

        // Coinbase fee.
        let feePerGas = fork >= .london ? effectiveGasPrice &- block.baseFee : effectiveGasPrice
        let fee = UInt256(gasUsed) &* feePerGas
        var coinbaseCredit = UInt256.zero
        if state.isLoaded(block.coinbase) || fee.isZero {
            let c = try state.account(block.coinbase)
            try state.setBalance(block.coinbase, c.info.balance &+ fee)
        } else {
            coinbaseCredit = fee
        }

        var changes = state.stateChanges()
        changes.coinbaseCredit = coinbaseCredit
        var createdAddress: Address? = nil
        if tx.to == nil, status == .success { createdAddress = target }
        let result = TransactionResult(
            status: status, gasUsed: gasUsed, logs: status == .success ? state.logs : [], output: output,
            createdAddress: createdAddress, changes: changes, coinbaseFee: fee, gasRefunded: refund,
            refundCounter: status == .success ? outcome.refund : 0)
        if Trace.enabled { Trace.result(result) }
        return result
    }

    /// The checks that make a transaction invalid (not included, no state
    /// change). Returns the effective gas price.
    func validate(_ tx: TransactionEnvironment, block: BlockEnvironment, state: JournaledState) throws -> UInt256 {
        switch tx.type {
        case 0: break
        case 1: if fork < .berlin { throw InvalidTransaction.typeNotSupported(type: 1) }
        case 2: if fork < .london { throw InvalidTransaction.typeNotSupported(type: 2) }
        case 3: if fork < .cancun { throw InvalidTransaction.typeNotSupported(type: 3) }
        default: throw InvalidTransaction.typeNotSupported(type: tx.type)
        }
        let intrinsic = intrinsicGas(tx)
        if tx.gasLimit < intrinsic { throw InvalidTransaction.intrinsicGasTooLow(gasLimit: tx.gasLimit, intrinsic: intrinsic) }
        if tx.nonce == UInt64.max { throw InvalidTransaction.nonceMax }
        if tx.to == nil && fork >= .shanghai && tx.data.count > Machine.maxInitcodeSize {
            throw InvalidTransaction.initcodeTooLarge(size: tx.data.count)
        }
        if tx.gasLimit > block.gasLimit {
            throw InvalidTransaction.gasLimitExceedsBlock(gasLimit: tx.gasLimit, blockGasLimit: block.gasLimit)
        }

        // Fees.
        let effectiveGasPrice: UInt256
        let maxGasPrice: UInt256
        if tx.usesFeeCaps {
            if tx.maxPriorityFeePerGas > tx.maxFeePerGas {
                throw InvalidTransaction.priorityFeeAboveFeeCap(
                    maxPriorityFeePerGas: tx.maxPriorityFeePerGas, maxFeePerGas: tx.maxFeePerGas)
            }
            if tx.maxFeePerGas < block.baseFee {
                throw InvalidTransaction.feeCapBelowBaseFee(maxFeePerGas: tx.maxFeePerGas, baseFee: block.baseFee)
            }
            let tip = min(tx.maxPriorityFeePerGas, tx.maxFeePerGas &- block.baseFee)
            effectiveGasPrice = block.baseFee &+ tip
            maxGasPrice = tx.maxFeePerGas
        } else {
            if fork >= .london && tx.gasPrice < block.baseFee {
                throw InvalidTransaction.gasPriceBelowBaseFee(gasPrice: tx.gasPrice, baseFee: block.baseFee)
            }
            effectiveGasPrice = tx.gasPrice
            maxGasPrice = tx.gasPrice
        }

        // Blobs (EIP-4844).
        var maxBlobFee = UInt256.zero
        var blobOverflow = false
        if tx.type == 3 {
            if tx.to == nil { throw InvalidTransaction.createWithBlobs }
            if tx.blobVersionedHashes.isEmpty { throw InvalidTransaction.noBlobs }
            if tx.blobVersionedHashes.count > EVM.maxBlobsPerBlock {
                throw InvalidTransaction.tooManyBlobs(count: tx.blobVersionedHashes.count)
            }
            for (i, h) in tx.blobVersionedHashes.enumerated() where h.bytes[0] != 0x01 {
                throw InvalidTransaction.invalidBlobVersion(index: i)
            }
            let maxFeePerBlobGas = tx.maxFeePerBlobGas ?? .zero
            let blobBaseFee = block.blobBaseFee
            if maxFeePerBlobGas < blobBaseFee {
                throw InvalidTransaction.blobFeeCapTooLow(maxFeePerBlobGas: maxFeePerBlobGas, blobBaseFee: blobBaseFee)
            }
            let blobGas = UInt256(UInt64(tx.blobVersionedHashes.count) * EVM.blobGasPerBlob)
            let (p, o) = blobGas.multipliedReportingOverflow(by: maxFeePerBlobGas)
            maxBlobFee = p
            blobOverflow = o
        }

        // The sender.
        let sender = try state.account(tx.caller)
        if sender.info.nonce > tx.nonce {
            throw InvalidTransaction.nonceTooLow(expected: sender.info.nonce, got: tx.nonce)
        }
        if sender.info.nonce < tx.nonce {
            throw InvalidTransaction.nonceTooHigh(expected: sender.info.nonce, got: tx.nonce)
        }
        // EIP-3607 holds for every fork: clients apply it retroactively (no
        // account with code has a known private key), and so do the state tests.
        if sender.info.codeHash != EmptyHashes.code { throw InvalidTransaction.senderHasCode }
        let (gasCost, o1) = UInt256(tx.gasLimit).multipliedReportingOverflow(by: maxGasPrice)
        let (withValue, o2) = gasCost.addingReportingOverflow(tx.value)
        let (required, o3) = withValue.addingReportingOverflow(maxBlobFee)
        if o1 || o2 || o3 || blobOverflow {
            throw InvalidTransaction.insufficientFunds(balance: sender.info.balance, required: .max)
        }
        if sender.info.balance < required {
            throw InvalidTransaction.insufficientFunds(balance: sender.info.balance, required: required)
        }
        return effectiveGasPrice
    }
}
