import ParallaxContracts
import ParallaxExecution

/// `amm`: swaps over `pools` constant-product pools (default 16). Pool `p`
/// trades the base token (number `baseToken`) against token `baseToken + 1 + p`.
///
/// Each swap goes to pool 0 (the hot pool) with probability `hotShare`,
/// otherwise to a uniformly drawn pool (pool 0 included); the trader is
/// drawn by the shape's Zipf skew, the direction by a coin. Pools start with
/// reserves of 2^40 base tokens against 2^40 * (1 + p % 4) pool tokens;
/// every account holds 2^36 of every token. Inputs are 0.0001% to 0.01% of
/// a reserve; the minimum output is the quote against the initial reserves
/// less a tolerance of 0.1%, 0.5% or 1%, so swaps into a pool whose price
/// has drifted far enough revert on slippage, as real ones do.
public struct AMMWorkload: ContractWorkload {
    public let shape: WorkloadShape
    public let pools: Int
    let accounts: AccountSampler
    let work: VMWork
    public var name: String { "amm" }

    /// Token numbers start here, apart from the `erc20` workload's token.
    public static let baseToken: UInt64 = 1_000
    public static let initialReserve: UInt64 = 1 << 40
    public static let initialHolding: UInt64 = 1 << 36
    static let tag: UInt64 = 3

    public init(_ shape: WorkloadShape, pools: Int = 16) throws(WorkloadError) {
        try shape.validate()
        guard pools >= 1 else { throw WorkloadError(parameter: "pools", reason: "must be at least 1, got \(pools)") }
        self.shape = shape
        self.pools = pools
        accounts = try AccountSampler(shape)
        work = VMWork(nanoseconds: shape.workNanoseconds)
    }

    /// The tokens pool `pool` trades: the base token and its own.
    public static func tokens(pool: Int) -> (UInt64, UInt64) { (baseToken, baseToken + 1 + UInt64(pool)) }

    public static func initialReserves(pool: Int) -> (UInt64, UInt64) {
        (initialReserve, initialReserve * (1 + UInt64(pool % 4)))
    }

    func populate(_ entries: inout [StateKey: StateValue]) {
        populateNative(&entries)
        entries.reserveCapacity(entries.count + (pools + 1) * shape.accounts + 2 * pools)
        for pool in 0..<pools {
            let (reserve0, reserve1) = AMMWorkload.initialReserves(pool: pool)
            entries[PoolLayout.reservesKey(pool: UInt64(pool))] = PoolLayout.reservesValue(reserve0, reserve1)
            let (token0, token1) = AMMWorkload.tokens(pool: pool)
            entries[PoolLayout.tokensKey(pool: UInt64(pool))] = PoolLayout.tokensValue(token0, token1)
        }
        for token in AMMWorkload.baseToken...(AMMWorkload.baseToken + UInt64(pools)) {
            for raw in 0..<UInt64(shape.accounts) {
                entries[TokenLayout.balanceKey(token: token, Account(raw))] = StateValue(uint64: AMMWorkload.initialHolding)
            }
        }
    }

    public func block(_ number: Int, transactions count: Int) -> [any Transaction] {
        var generator = generator(block: number, tag: AMMWorkload.tag)
        var result: [any Transaction] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let pool = generator.chance(shape.hotShare) ? 0 : Int(generator.next() % UInt64(pools))
            let zeroForOne = generator.next() & 1 == 0
            let (reserve0, reserve1) = AMMWorkload.initialReserves(pool: pool)
            let (reserveIn, reserveOut) = zeroForOne ? (reserve0, reserve1) : (reserve1, reserve0)
            let (token0, token1) = AMMWorkload.tokens(pool: pool)
            let amountIn = reserveIn / 1_000_000 + generator.next() % (reserveIn / 10_000)
            let toleranceBasisPoints: UInt64 = [10, 50, 100][Int(generator.next() % 3)]
            let quote = PoolLayout.amountOut(amountIn, reserveIn: reserveIn, reserveOut: reserveOut)
            var swap = SwapTransaction(
                sender: accounts.draw(&generator), pool: UInt64(pool), tokenIn: zeroForOne ? token0 : token1,
                tokenOut: zeroForOne ? token1 : token0, amountIn: amountIn,
                minimumOut: quote - quote / 10_000 * toleranceBasisPoints)
            swap.feeBeneficiary = shape.fee
            result.append(work.placed(swap))
        }
        return result
    }
}
