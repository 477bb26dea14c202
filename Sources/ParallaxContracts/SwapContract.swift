import ParallaxVMInterface

/// Constant-product pools with the Uniswap v2 pair rules.
///
/// A pool trades token `token0` against `token1` (ERC-20 balances in
/// `TokenLayout`). A swap of `amountIn` yields
///
///     amountOut = amountIn * 997 * reserveOut / (reserveIn * 1000 + amountIn * 997)
///
/// (0.3% fee to liquidity, `getAmountOut` of UniswapV2Library), and the
/// pair's invariant check holds afterwards:
/// `(r0' * 1000 - in0 * 3) * (r1' * 1000 - in1 * 3) >= r0 * r1 * 1000^2`, so
/// `k = r0 * r1` never decreases. Arithmetic is in 128 bits (reserves are
/// 64-bit), so nothing overflows.
///
/// State layout (`ContractKey`, contract `amm`):
///
/// | key | value |
/// |---|---|
/// | `(amm, reserves, pool)` | `reserve0, reserve1`: two `UInt64` LE (16 bytes, one key: a swap writes one pool key) |
/// | `(amm, tokens, pool)` | `token0, token1`: two `UInt64` LE |
/// | `(erc20, balance, token, account)` | trader balances (the token layout) |
///
/// The pool's own token holdings are its reserves (a pair's `sync` state);
/// they are not kept a second time as token balances.
public enum PoolLayout {
    /// The reserves of `pool`: `reserve0, reserve1`, two `UInt64` little-endian.
    @inlinable
    public static func reservesKey(pool: UInt64) -> StateKey { ContractKey.make(.amm, field: 1, pool) }

    /// The tokens `pool` trades: `token0, token1`, two `UInt64` little-endian.
    @inlinable
    public static func tokensKey(pool: UInt64) -> StateKey { ContractKey.make(.amm, field: 2, pool) }

    /// The value of a pool's reserves key.
    public static func reservesValue(_ reserve0: UInt64, _ reserve1: UInt64) -> StateValue { Encoding.pair(reserve0, reserve1) }

    /// The value of a pool's tokens key.
    public static func tokensValue(_ token0: UInt64, _ token1: UInt64) -> StateValue { Encoding.pair(token0, token1) }

    /// Output of a swap of `amountIn` against reserves `(reserveIn, reserveOut)`.
    @inlinable
    public static func amountOut(_ amountIn: UInt64, reserveIn: UInt64, reserveOut: UInt64) -> UInt64 {
        let withFee = UInt128(amountIn) * 997
        let denominator = UInt128(reserveIn) * 1000 + withFee
        return denominator == 0 ? 0 : UInt64(withFee * UInt128(reserveOut) / denominator)
    }
}

/// A swap of exactly `amountIn` of `tokenIn` for at least `minimumOut` of
/// `tokenOut` through `pool` (`swapExactTokensForTokens` over a one-pair
/// path: the caller names the tokens, the pool must trade exactly them).
///
/// Reverts: unknown pool, a pool that does not trade the two tokens, zero
/// input, output below `minimumOut`
/// (slippage), output that would drain the pool, input beyond the trader's
/// balance, and — never for correct arithmetic — a decrease of `k`.
public struct SwapTransaction: Transaction {
    /// The trader, whose token balances pay and receive and whose native balance pays the fee.
    public var sender: Account
    /// The pool swapped through.
    public var pool: UInt64
    /// The token paid in.
    public var tokenIn: UInt64
    /// The token received.
    public var tokenOut: UInt64
    /// The exact amount of `tokenIn` paid.
    public var amountIn: UInt64
    /// The least amount of `tokenOut` accepted (slippage bound).
    public var minimumOut: UInt64

    /// A swap with these terms.
    public init(sender: Account, pool: UInt64, tokenIn: UInt64, tokenOut: UInt64, amountIn: UInt64, minimumOut: UInt64) {
        self.sender = sender
        self.pool = pool
        self.tokenIn = tokenIn
        self.tokenOut = tokenOut
        self.amountIn = amountIn
        self.minimumOut = minimumOut
    }

    public var gasLimit: UInt64 { 120_000 }
    /// The fee per unit of gas (`feePolicy`); under the pipeline the signed one replaces it.
    public var gasPrice: UInt64 { 1 }
    /// The built-in fee: `gasUsed * gasPrice` from the sender's native balance.
    public var feePolicy: FeePolicy { NativeToken.fee(of: sender, pricePerGas: gasPrice, beneficiary: feeBeneficiary) }
    /// Where the fee goes (the generators set the block beneficiary).
    public var feeBeneficiary: FeeBeneficiary? = nil
    /// Pricing, invariant check and transfers' logic beyond state access.
    public static let logicGas: UInt64 = 1_500

    /// Every key `execute` may touch.
    public var accessedKeys: [StateKey] {
        [PoolLayout.reservesKey(pool: pool), PoolLayout.tokensKey(pool: pool),
         TokenLayout.balanceKey(token: tokenIn, sender), TokenLayout.balanceKey(token: tokenOut, sender)]
    }

    /// The pool's token pair is only read; its reserves and both balances are written.
    public var declaredAccess: DeclaredAccess? {
        DeclaredAccess(reads: [PoolLayout.tokensKey(pool: pool)],
                       writes: [PoolLayout.reservesKey(pool: pool), TokenLayout.balanceKey(token: tokenIn, sender),
                                TokenLayout.balanceKey(token: tokenOut, sender)])
    }

    /// Why a swap reverts.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The pool has no token pair: it does not exist.
        case unknownPool(UInt64)
        /// The pool does not trade these two tokens.
        case wrongPair(pool: UInt64, tokenIn: UInt64, tokenOut: UInt64)
        /// `amountIn` is zero.
        case zeroInput
        /// The output is below `minimumOut`.
        case slippage(out: UInt64, minimum: UInt64)
        /// The output would drain the pool's reserve.
        case insufficientLiquidity(out: UInt64, reserve: UInt64)
        /// The trader holds less of `tokenIn` than `amountIn`.
        case insufficientBalance(Account, have: UInt64, need: UInt64)
        /// The pair's invariant `k` would decrease (never for correct arithmetic).
        case invariantDecreased

        public var description: String {
            switch self {
            case .unknownPool(let pool): "AMM: no pool \(pool)"
            case .wrongPair(let pool, let tokenIn, let tokenOut): "AMM: pool \(pool) does not trade \(tokenIn) for \(tokenOut)"
            case .zeroInput: "AMM: insufficient input amount"
            case .slippage(let out, let minimum): "AMM: output \(out) below the minimum \(minimum)"
            case .insufficientLiquidity(let out, let reserve): "AMM: output \(out) would drain reserve \(reserve)"
            case .insufficientBalance(let account, let have, let need): "AMM: \(account) holds \(have), needs \(need)"
            case .invariantDecreased: "AMM: K"
            }
        }
    }

    public func execute(in context: ExecutionContext) throws { try execute(in: context, work: NoContractWork()) }

    /// `execute(in:)` with the benchmark's work placed (`ContractWorkHook`).
    @inlinable
    package func execute(in context: ExecutionContext, work: some ContractWorkHook) throws {
        work.entry(seed: sender.raw ^ amountIn)
        try context.chargeGas(SwapTransaction.logicGas)
        guard amountIn > 0 else { throw Failure.zeroInput }
        let reservesKey = PoolLayout.reservesKey(pool: pool)
        guard let reservesValue = try context.read(reservesKey),
              let tokensValue = try context.read(PoolLayout.tokensKey(pool: pool)) else { throw Failure.unknownPool(pool) }
        let (reserve0, reserve1) = Encoding.unpair(reservesValue)
        let (token0, token1) = Encoding.unpair(tokensValue)
        let zeroForOne = tokenIn == token0 && tokenOut == token1
        guard zeroForOne || (tokenIn == token1 && tokenOut == token0) else {
            throw Failure.wrongPair(pool: pool, tokenIn: tokenIn, tokenOut: tokenOut)
        }
        let (reserveIn, reserveOut) = zeroForOne ? (reserve0, reserve1) : (reserve1, reserve0)
        let out = PoolLayout.amountOut(amountIn, reserveIn: reserveIn, reserveOut: reserveOut)
        guard out > 0, out >= minimumOut else { throw Failure.slippage(out: out, minimum: minimumOut) }
        guard out < reserveOut else { throw Failure.insufficientLiquidity(out: out, reserve: reserveOut) }
        let newIn = reserveIn.addingReportingOverflow(amountIn)
        guard !newIn.overflow else { throw Failure.insufficientLiquidity(out: out, reserve: reserveOut) }

        let inKey = TokenLayout.balanceKey(token: tokenIn, sender)
        let balanceIn = try context.read(inKey)?.uint64Value ?? 0
        guard balanceIn >= amountIn else { throw Failure.insufficientBalance(sender, have: balanceIn, need: amountIn) }
        work.body(seed: reserveIn ^ balanceIn)
        let newOut = reserveOut - out
        // The pair's check: balances adjusted for the 0.3% input fee keep k.
        let adjustedIn = UInt128(newIn.partialValue) * 1000 - UInt128(amountIn) * 3
        let adjustedOut = UInt128(newOut) * 1000
        let (product, overflow) = adjustedIn.multipliedReportingOverflow(by: adjustedOut)
        guard overflow || product >= UInt128(reserveIn) * UInt128(reserveOut) * 1_000_000 else { throw Failure.invariantDecreased }

        try context.write(inKey, StateValue(uint64: balanceIn - amountIn))
        let outKey = TokenLayout.balanceKey(token: tokenOut, sender)
        let balanceOut = (try context.read(outKey)?.uint64Value ?? 0).addingReportingOverflow(out)
        guard !balanceOut.overflow else { throw Failure.insufficientLiquidity(out: out, reserve: reserveOut) }
        try context.write(outKey, StateValue(uint64: balanceOut.partialValue))
        let reserves = zeroForOne ? (newIn.partialValue, newOut) : (newOut, newIn.partialValue)
        try context.write(reservesKey, Encoding.pair(reserves.0, reserves.1))
        try context.emit(Event(topic: EventTopic.swap, data: Encoding.words(sender.raw, pool, tokenIn, amountIn, out)))
    }
}
