/// What an operator asks of a placement: a policy, how to use SMT siblings,
/// CPUs to leave to the OS, and the pools of the pipeline stages with their
/// sizes. `PlacementPlan(topology:request:)` turns it into one PU per worker;
/// `ParallaxConfig` builds it from the topology config file.

/// The pipeline stage a pool of workers serves.
public enum PoolName: String, CaseIterable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Batched hashing and signature checks.
    case precheck
    /// Block execution.
    case execute
    /// Committing blocks to the state store.
    case commit

    public static func < (lhs: PoolName, rhs: PoolName) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    public var description: String { rawValue }
}

/// The order in which a plan hands out PUs (see `PlacementPlan` for the exact definitions).
public enum PlacementPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Fill one NUMA node before the next; SMT siblings next to each other.
    case compact
    /// Round-robin over NUMA nodes; within a node, one PU per core before siblings.
    case spread
    /// Exactly these CPUs, in ascending order.
    case explicit(CPUSet)

    public var description: String {
        switch self {
        case .compact: "compact"
        case .spread: "spread"
        case .explicit(let cpus): "explicit(\(cpus.cpulist))"
        }
    }
}

/// Whether workers may share a core.
public enum SMTUse: String, CaseIterable, Sendable, Equatable, CustomStringConvertible {
    /// Every PU of a core may get a worker.
    case siblings
    /// At most one worker per core: the core's first PU that is not reserved.
    case onePerCore = "one-per-core"

    public var description: String { rawValue }
}

/// How many workers a pool gets, or which CPUs.
public enum PoolSize: Sendable, Equatable, CustomStringConvertible {
    /// The pool's own CPUs, one worker on each (they leave the policy's order).
    case cpus(CPUSet)
    /// The next `n` PUs of the policy's order.
    case workers(Int)
    /// The next ⌊fraction × candidates⌋ PUs (at least one) of the policy's
    /// order, where candidates are all the PUs the policy may use.
    case share(Double)
    /// Every PU of the policy's order that no other pool took.
    case rest

    public var description: String {
        switch self {
        case .cpus(let cpus): "cpus \(cpus.cpulist)"
        case .workers(let count): "\(count) workers"
        case .share(let fraction): "share \(fraction)"
        case .rest: "the rest"
        }
    }
}

/// One pool of a placement request: its stage and its size.
public struct PoolRequest: Sendable, Equatable {
    /// The stage the pool serves.
    public var name: PoolName
    /// How many PUs it gets, or which.
    public var size: PoolSize

    /// A pool `name` of `size`.
    public init(_ name: PoolName, _ size: PoolSize) {
        self.name = name
        self.size = size
    }
}

/// What an operator asks of a plan: a policy, SMT use, reserved CPUs and pools (see the comment at the top of this file).
public struct PlacementRequest: Sendable, Equatable {
    /// The order in which PUs are handed out.
    public var policy: PlacementPolicy
    /// Whether a core's SMT siblings may all get workers.
    public var smt: SMTUse
    /// CPUs no worker gets (left to the OS, interrupts, the node's other services).
    public var reserved: CPUSet
    /// Pools in worker order: the first pool's workers come first in the plan.
    public var pools: [PoolRequest]

    /// Defaults: every usable PU in one `execute` pool.
    public init(policy: PlacementPolicy = .compact, smt: SMTUse = .siblings, reserved: CPUSet = CPUSet(),
                pools: [PoolRequest] = [PoolRequest(.execute, .rest)]) {
        self.policy = policy
        self.smt = smt
        self.reserved = reserved
        self.pools = pools
    }
}
