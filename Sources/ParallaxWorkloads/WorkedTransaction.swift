import ParallaxContracts
import ParallaxExecution

/// The workloads' `VMWork` at the built-in contracts' two hook points
/// (`ContractWorkHook`: before the first state access, and between the
/// checks and the writes).
extension VMWork: ContractWorkHook {}

/// A built-in contract's transaction with the workload's `VMWork` placed
/// inside its execution: the contract's keys, gas, fee and rules, plus the
/// busy work. The contracts carry no benchmark knob; a block generated
/// without work (`workNanoseconds == 0`) holds the contract's transaction
/// itself (`VMWork.placed`).
///
/// One concrete wrapper per contract, so that the executors reach a
/// specialized `execute(in:work:)` through the block's existential alone,
/// as they reach the contract's own `execute(in:)`.
protocol WorkedTransaction: Transaction {
    associatedtype Contract: Transaction
    var contract: Contract { get }
}

extension WorkedTransaction {
    var gasLimit: UInt64 { contract.gasLimit }
    var feePolicy: FeePolicy { contract.feePolicy }
    var declaredAccess: DeclaredAccess? { contract.declaredAccess }
    var gasSchedule: GasSchedule { contract.gasSchedule }
    var senderNonce: SenderNonce? { contract.senderNonce }
}

struct WorkedPayment: WorkedTransaction {
    var contract: PaymentTransaction
    var work: VMWork
    func execute(in context: ExecutionContext) throws { try contract.execute(in: context, work: work) }
}

struct WorkedToken: WorkedTransaction {
    var contract: TokenTransaction
    var work: VMWork
    func execute(in context: ExecutionContext) throws { try contract.execute(in: context, work: work) }
}

struct WorkedSwap: WorkedTransaction {
    var contract: SwapTransaction
    var work: VMWork
    func execute(in context: ExecutionContext) throws { try contract.execute(in: context, work: work) }
}

struct WorkedCollectible: WorkedTransaction {
    var contract: CollectibleTransaction
    var work: VMWork
    func execute(in context: ExecutionContext) throws { try contract.execute(in: context, work: work) }
}

struct WorkedCustody: WorkedTransaction {
    var contract: CustodyTransaction
    var work: VMWork
    func execute(in context: ExecutionContext) throws { try contract.execute(in: context, work: work) }
}

extension VMWork {
    /// `transaction` as a block holds it: itself without work, else wrapped with this work.
    func placed(_ transaction: PaymentTransaction) -> any Transaction {
        iterations > 0 ? WorkedPayment(contract: transaction, work: self) : transaction
    }

    func placed(_ transaction: TokenTransaction) -> any Transaction {
        iterations > 0 ? WorkedToken(contract: transaction, work: self) : transaction
    }

    func placed(_ transaction: SwapTransaction) -> any Transaction {
        iterations > 0 ? WorkedSwap(contract: transaction, work: self) : transaction
    }

    func placed(_ transaction: CollectibleTransaction) -> any Transaction {
        iterations > 0 ? WorkedCollectible(contract: transaction, work: self) : transaction
    }

    func placed(_ transaction: CustodyTransaction) -> any Transaction {
        iterations > 0 ? WorkedCustody(contract: transaction, work: self) : transaction
    }
}
