import ParallaxVMInterface

/// A test transaction that names its fee payer and price the way most of
/// these tests build them: a payer (nil: no fee) and an optional
/// beneficiary, settled as the built-in `BalanceDebitFee`.
protocol PayerFeeTransaction: Transaction {
    var feePayer: StateKey? { get }
    var gasPrice: UInt64 { get }
    var feeBeneficiary: FeeBeneficiary? { get }
}

extension PayerFeeTransaction {
    var feeBeneficiary: FeeBeneficiary? { nil }
    var feePolicy: FeePolicy {
        feePayer.map { .balanceDebit(BalanceDebitFee(payer: $0, pricePerGas: gasPrice, beneficiary: feeBeneficiary)) } ?? .none
    }
}
