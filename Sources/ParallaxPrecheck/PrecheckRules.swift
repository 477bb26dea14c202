/// What the precheck stage requires of a well-formed, correctly signed
/// transaction besides its signature: the chain it is for, a gas limit the
/// block can hold, and a fee worth including.
///
/// These are the stateless checks; nonces and balances depend on state and
/// are the executor's. The checks run in the order of the properties below,
/// after decoding and before signature verification, so a transaction that
/// fails one costs no verification; `PrecheckRejection` names the first that
/// failed.
public struct PrecheckRules: Hashable, Sendable {
    /// The chain this node executes; any other chain id is rejected (nil:
    /// every chain id is accepted, for tools and tests).
    public var chainID: ChainID?
    /// Gas limits accepted, both ends inclusive: below the lower end a
    /// transaction cannot pay for its own intrinsic cost, above the upper one
    /// it cannot fit in a block.
    public var gasLimits: ClosedRange<GasLimit>
    /// The lowest fee per unit of gas accepted (`Fee(0)` accepts every fee).
    public var minimumFee: Fee
    /// Bounds the decoder enforces before it trusts any length.
    public var envelopeLimits: EnvelopeLimits

    /// Rules for `chainID` (nil: any chain), by default admitting gas limits from 21,000 to 30,000,000, any fee and the default envelope limits.
    public init(chainID: ChainID?, gasLimits: ClosedRange<GasLimit> = GasLimit(21_000)...GasLimit(30_000_000),
                minimumFee: Fee = Fee(0), envelopeLimits: EnvelopeLimits = .default) {
        self.chainID = chainID
        self.gasLimits = gasLimits
        self.minimumFee = minimumFee
        self.envelopeLimits = envelopeLimits
    }

    /// Why `envelope` breaks these rules, or nil when it keeps them.
    public func rejection(of envelope: TransactionEnvelope) -> PrecheckRejection? {
        if let chainID, envelope.chainID != chainID { return .wrongChainID(expected: chainID, found: envelope.chainID) }
        guard gasLimits.contains(envelope.gasLimit) else {
            return .gasLimitOutOfRange(envelope.gasLimit, allowed: gasLimits)
        }
        guard envelope.fee >= minimumFee else { return .feeBelowMinimum(envelope.fee, minimum: minimumFee) }
        return nil
    }
}
