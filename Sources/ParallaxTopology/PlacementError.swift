/// Why a placement request cannot be satisfied on a topology. `subject` says
/// which part of the request is wrong, so that `ParallaxConfig` can name the
/// key of the config file that holds it.
public struct PlacementError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The part of the request a problem is about.
    public enum Subject: Equatable, Sendable, CustomStringConvertible {
        /// The CPU list of the `explicit` policy.
        case policyCPUs
        /// The reserved CPUs.
        case reserved
        /// The request's list of pools as a whole.
        case pools
        /// One pool's size or CPUs.
        case pool(PoolName)

        public var description: String {
            switch self {
            case .policyCPUs: "explicit CPUs"
            case .reserved: "reserved CPUs"
            case .pools: "pools"
            case .pool(let name): "pool \(name)"
            }
        }
    }

    /// What is wrong with the subject.
    public enum Problem: Equatable, Sendable {
        /// CPUs the topology does not have.
        case notPresent(missing: CPUSet, available: CPUSet)
        /// A pool asks for reserved CPUs.
        case reservedCPUs(CPUSet)
        /// A pool asks for CPUs that another pool already has.
        case inTwoPools(CPUSet, other: PoolName)
        /// More workers than PUs left for them.
        case tooManyWorkers(requested: Int, available: Int)
        /// A pool of `rest` found no PU left.
        case nothingLeft
        /// A pool's `workers` below 1 (the associated value).
        case invalidWorkerCount(Int)
        /// A pool's `share` outside (0, 1] (the associated value).
        case invalidShare(Double)
        /// A pool's CPU list is empty.
        case emptyCPUs
        /// A pool is listed twice.
        case duplicatePool
        /// A second pool without a size: only one pool takes the rest, and `first` already does.
        case secondRestPool(first: PoolName)
        /// The request has no pool.
        case noPools
        /// `one-per-core` but the list names two PUs of one core.
        case siblings(CoreID, CPUSet)
    }

    /// Which part of the request is wrong.
    public let subject: Subject
    /// What is wrong with it.
    public let problem: Problem

    /// A problem with `subject`.
    public init(_ subject: Subject, _ problem: Problem) {
        self.subject = subject
        self.problem = problem
    }

    /// What is wrong, without the subject (the config layer prefixes its key).
    public var problemDescription: String {
        switch problem {
        case .notPresent(let missing, let available):
            "CPUs \(missing.cpulist) not present on this machine (it has CPUs \(available.cpulist))"
        case .reservedCPUs(let cpus):
            "CPUs \(cpus.cpulist) are reserved for the OS"
        case .inTwoPools(let cpus, let other):
            "CPUs \(cpus.cpulist) are already in pool \(other); a CPU can be in one pool only"
        case .tooManyWorkers(let requested, let available):
            "\(requested) workers requested but only \(available) processing units are left for them"
        case .nothingLeft:
            "no processing unit is left for this pool after the other pools and the reserved CPUs"
        case .invalidWorkerCount(let count):
            "worker count must be at least 1, got \(count)"
        case .invalidShare(let fraction):
            "share must be a fraction in (0, 1], got \(fraction)"
        case .emptyCPUs:
            "the CPU list is empty"
        case .duplicatePool:
            "the pool is listed twice"
        case .secondRestPool(let first):
            "only one pool can take the rest, and pool \(first) already does"
        case .noPools:
            "no pools: at least one pool is needed"
        case .siblings(let core, let cpus):
            "CPUs \(cpus.cpulist) are SMT siblings of \(core) but smt is one-per-core"
        }
    }

    public var description: String { "\(subject): \(problemDescription)" }
}
