import ParallaxExecution

/// The synthetic workload: each transaction reads R keys, then does
/// calibrated busy work, then read-modify-writes W keys, all drawn from a
/// universe of K keys where each draw is the hot key (key 0) with
/// probability H; with probability V it then reverts.
///
/// Every written value depends on the values read, so a transaction that
/// saw a stale value writes a different result: the workload detects any
/// ordering error as a state-root mismatch. The fee payer is the first
/// written key (no extra contention; reverted transactions still write
/// their fee there). With H = 1 every transaction reads and writes the hot
/// key: full contention.
public struct SyntheticWorkload: Workload {
    public struct Parameters: Sendable, Equatable {
        public var keys: Int = 1_000_000
        public var hotProbability: Double = 0
        public var reads: Int = 2
        public var writes: Int = 2
        public var workNanoseconds: Int = 0
        public var revertProbability: Double = 0
        public var seed: UInt64 = 1

        public init() {}
    }

    public let parameters: Parameters
    public var name: String { "synthetic" }
    let workIterations: Int

    public init(_ parameters: Parameters) throws(WorkloadError) {
        guard parameters.keys >= 1 else { throw WorkloadError(parameter: "keys", reason: "must be at least 1, got \(parameters.keys)") }
        guard (0...1).contains(parameters.hotProbability) else {
            throw WorkloadError(parameter: "hot-prob", reason: "must be between 0 and 1, got \(parameters.hotProbability)")
        }
        guard parameters.reads >= 0 else { throw WorkloadError(parameter: "reads", reason: "must be 0 or more, got \(parameters.reads)") }
        guard parameters.writes >= 0 else { throw WorkloadError(parameter: "writes", reason: "must be 0 or more, got \(parameters.writes)") }
        guard parameters.workNanoseconds >= 0 else {
            throw WorkloadError(parameter: "work-ns", reason: "must be 0 or more, got \(parameters.workNanoseconds)")
        }
        guard (0...1).contains(parameters.revertProbability) else {
            throw WorkloadError(parameter: "revert-prob", reason: "must be between 0 and 1, got \(parameters.revertProbability)")
        }
        self.parameters = parameters
        workIterations = parameters.workNanoseconds == 0 ? 0 : BusyWork.iterations(forNanoseconds: parameters.workNanoseconds)
    }

    /// The key of universe index `index` (a hash-like spread of the index).
    public static func key(_ index: Int) -> StateKey {
        var generator = SplitMix64(seed: UInt64(index) ^ 0x5EED_0F_4B_E5)
        return StateKey(generator.next(), generator.next(), generator.next(), UInt64(index))
    }

    /// Every key of the universe with balance 1,000,000,000 + its index
    /// (distinct values: no shared buffer whose reference count all workers
    /// would bounce).
    public func initialState() -> InMemoryState {
        var entries: [StateKey: StateValue] = [:]
        entries.reserveCapacity(parameters.keys)
        for index in 0..<parameters.keys {
            entries[SyntheticWorkload.key(index)] = StateValue(uint64: 1_000_000_000 + UInt64(index))
        }
        return InMemoryState(entries)
    }

    public func block(_ number: Int, transactions count: Int) -> [any Transaction] {
        var generator = SplitMix64(seed: parameters.seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(number))
        var result: [any Transaction] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let reads = (0..<parameters.reads).map { _ in drawKey(&generator) }
            let writes = (0..<parameters.writes).map { _ in drawKey(&generator) }
            result.append(SyntheticTransaction(
                readKeys: reads, writeKeys: writes, workIterations: workIterations,
                reverts: generator.chance(parameters.revertProbability), salt: generator.next()))
        }
        return result
    }

    private func drawKey(_ generator: inout SplitMix64) -> StateKey {
        if generator.chance(parameters.hotProbability) { return SyntheticWorkload.key(0) }
        return SyntheticWorkload.key(Int(generator.next() % UInt64(parameters.keys)))
    }
}

/// One transaction of `SyntheticWorkload`.
public struct SyntheticTransaction: Transaction {
    public var readKeys: [StateKey]
    public var writeKeys: [StateKey]
    public var workIterations: Int
    public var reverts: Bool
    public var salt: UInt64

    public var gasLimit: UInt64 { 10_000_000 }
    public var gasPrice: UInt64 { 1 }
    /// The first written key pays (`BalanceDebitFee`); none when nothing is written.
    public var feePolicy: FeePolicy {
        writeKeys.first.map { .balanceDebit(BalanceDebitFee(payer: $0, pricePerGas: gasPrice)) } ?? .none
    }

    public var declaredAccess: DeclaredAccess? { DeclaredAccess(reads: readKeys, writes: writeKeys) }

    public struct Revert: Error, CustomStringConvertible {
        public var description: String { "synthetic revert" }
    }

    public func execute(in context: ExecutionContext) throws {
        var accumulator = salt
        for key in readKeys {
            accumulator = (accumulator ^ (try context.read(key)?.uint64Value ?? 0)) &* 0x9E37_79B9_7F4A_7C15
        }
        if workIterations > 0 { BusyWork.burn(iterations: workIterations, seed: accumulator) }
        for key in writeKeys {
            let balance = try context.read(key)?.uint64Value ?? 0
            try context.write(key, StateValue(uint64: balance &+ (accumulator & 0xFFFF)))
        }
        if reverts { throw Revert() }
    }
}
