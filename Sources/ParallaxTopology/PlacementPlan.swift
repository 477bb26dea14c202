/// One processing unit per worker: the answer to a `PlacementRequest` on a
/// `Topology`. A plan is a plain value: it prints as a table, compares with
/// `==`, and is computed without touching any thread.
///
/// ## Definitions
/// *Own CPUs*: the CPUs of the pools sized by `.cpus`. They are checked
/// (present, not reserved, in one pool only, and with `one-per-core` no two
/// on one core, even in different pools) and given to their pools first.
///
/// *Usable PUs*: the topology's PUs minus the reserved CPUs and the own CPUs;
/// with `smt = one-per-core`, minus every core that has an own CPU, and then
/// only the first remaining PU (logical order) of each core.
///
/// *Policy order* of the usable PUs:
/// - `compact`: nodes in ascending `NodeID`; within a node, hwloc's logical
///   order (core after core, the SMT siblings of a core next to each other).
///   Consecutive workers share a node, then a core, as long as they can.
/// - `spread`: each node's PUs ordered by sibling rank first (the first PU of
///   every core, then the second PU of every core, ...) and core order second;
///   then round-robin over the nodes that still have PUs: node 0's first, node
///   1's first, ..., node 0's second, ... Consecutive workers are on different
///   nodes while at least two nodes have PUs left, and on different cores
///   within a node while its cores have free PUs.
/// - `explicit(cpus)`: `cpus` minus the own CPUs (and, with `one-per-core`,
///   minus their cores), in ascending CPU number. Every CPU of the list must
///   exist and not be reserved; with `one-per-core` no two may be siblings.
///
/// *Pools* get workers in the order of the request. A pool of `.cpus` gets
/// its own CPUs (ascending). Pools of `.workers(n)` and `.share(f)` (f of the
/// usable PUs, rounded down, at least one) take the next PUs of the policy
/// order, in the order the pools are listed; the pool of `.rest` (at most one)
/// takes what is left after all of them, wherever it is listed. Worker ids are
/// dense: pool by pool in request order, and in each pool in the order of its
/// PUs.
///
/// ## Invariants (checked by `_checkInvariants(on:)`)
/// Worker ids are `0 ..< count` in order; no PU is used twice; every PU is a
/// PU of the topology and not reserved; each worker's core and node are those
/// of its PU.
public struct PlacementPlan: Sendable, Equatable, CustomStringConvertible {
    /// Every worker, by worker id (pool by pool, in the request's pool order).
    public let workers: [WorkerPlacement]

    /// The plan of `request` on `topology`; throws when the request cannot be met there.
    public init(topology: Topology, request: PlacementRequest) throws(PlacementError) {
        let reservedMissing = request.reserved.subtracting(topology.cpus)
        guard reservedMissing.isEmpty else {
            throw PlacementError(.reserved, .notPresent(missing: reservedMissing, available: topology.cpus))
        }
        let owned = try Self.claimOwnCPUs(topology: topology, request: request)
        let order = try Self.policyOrder(topology: topology, request: request, owned: owned)
        let assignment = try Self.assignPools(request: request, owned: owned, order: order)

        var workers: [WorkerPlacement] = []
        for pool in request.pools {
            for os in assignment[pool.name] ?? [] {
                let pu = topology.pu(os)!
                workers.append(WorkerPlacement(worker: WorkerID(workers.count), pool: pool.name, pu: os,
                                               core: pu.core, node: pu.node, package: pu.package))
            }
        }
        self.workers = workers
    }

    /// The usable PUs of the request in its policy's order.
    static func policyOrder(topology: Topology, request: PlacementRequest,
                            owned: [PoolName: CPUSet]) throws(PlacementError) -> [PUIndex] {
        let ownCPUs = owned.values.reduce(CPUSet()) { $0.union($1) }
        let excluded = request.reserved.union(ownCPUs)
        // Under one-per-core a core with an own CPU is taken as a whole.
        let closedCores = request.smt == .onePerCore ? Set(ownCPUs.compactMap { topology.pu($0)?.core }) : []
        var usable = topology.pus.filter { !excluded.contains($0.os) && !closedCores.contains($0.core) }
        if request.smt == .onePerCore {
            var seenCores = Set<CoreID>()
            usable = usable.filter { seenCores.insert($0.core).inserted }
        }
        let nodes = topology.numaNodes.map(\.id).sorted()
        switch request.policy {
        case .compact:
            return nodes.flatMap { node in usable.filter { $0.node == node }.map(\.os) }
        case .spread:
            let perNode: [[PUIndex]] = nodes.map { node in
                var rankInCore: [CoreID: Int] = [:]
                let ranked = usable.enumerated().filter { $0.element.node == node }.map { position, pu in
                    let rank = rankInCore[pu.core, default: 0]
                    rankInCore[pu.core] = rank + 1
                    return (rank: rank, position: position, os: pu.os)
                }
                return ranked.sorted { ($0.rank, $0.position) < ($1.rank, $1.position) }.map(\.os)
            }
            var order: [PUIndex] = []
            for round in 0..<(perNode.map(\.count).max() ?? 0) {
                for list in perNode where round < list.count { order.append(list[round]) }
            }
            return order
        case .explicit(let cpus):
            try checkOwnCPUs(cpus, subject: .policyCPUs, topology: topology, request: request)
            return cpus.filter { !excluded.contains($0) && !closedCores.contains(topology.pu($0)!.core) }
        }
    }

    /// Checks a list of CPUs a request names: present, not empty, not reserved,
    /// and no siblings under `one-per-core`.
    static func checkOwnCPUs(_ cpus: CPUSet, subject: PlacementError.Subject, topology: Topology,
                             request: PlacementRequest) throws(PlacementError) {
        guard !cpus.isEmpty else { throw PlacementError(subject, .emptyCPUs) }
        let missing = cpus.subtracting(topology.cpus)
        guard missing.isEmpty else { throw PlacementError(subject, .notPresent(missing: missing, available: topology.cpus)) }
        let reserved = cpus.intersection(request.reserved)
        guard reserved.isEmpty else { throw PlacementError(subject, .reservedCPUs(reserved)) }
        if request.smt == .onePerCore {
            for core in topology.cores {
                let named = cpus.intersection(CPUSet(core.pus))
                if named.count > 1 { throw PlacementError(subject, .siblings(core.id, named)) }
            }
        }
    }

    /// Checks the pools' sizes and the own CPUs of the `.cpus` pools.
    static func claimOwnCPUs(topology: Topology, request: PlacementRequest) throws(PlacementError) -> [PoolName: CPUSet] {
        guard !request.pools.isEmpty else { throw PlacementError(.pools, .noPools) }
        var seen = Set<PoolName>()
        var restPool: PoolName?
        for pool in request.pools {
            guard seen.insert(pool.name).inserted else { throw PlacementError(.pool(pool.name), .duplicatePool) }
            switch pool.size {
            case .rest:
                if let first = restPool { throw PlacementError(.pool(pool.name), .secondRestPool(first: first)) }
                restPool = pool.name
            case .workers(let count):
                guard count >= 1 else { throw PlacementError(.pool(pool.name), .invalidWorkerCount(count)) }
            case .share(let fraction):
                guard fraction > 0, fraction <= 1 else { throw PlacementError(.pool(pool.name), .invalidShare(fraction)) }
            case .cpus:
                break
            }
        }

        var owned: [PoolName: CPUSet] = [:]
        var owner: [PUIndex: PoolName] = [:]
        for pool in request.pools {
            guard case .cpus(let cpus) = pool.size else { continue }
            try checkOwnCPUs(cpus, subject: .pool(pool.name), topology: topology, request: request)
            let taken = CPUSet(cpus.filter { owner[$0] != nil })
            if let first = taken.first, let other = owner[first] {
                throw PlacementError(.pool(pool.name), .inTwoPools(taken, other: other))
            }
            if request.smt == .onePerCore {
                // One worker per core across pools too.
                for cpu in cpus {
                    guard let core = topology.pu(cpu)?.core else { continue }
                    let claimed = CPUSet(topology.cores.first { $0.id == core }!.pus.filter { owner[$0] != nil })
                    if !claimed.isEmpty { throw PlacementError(.pool(pool.name), .siblings(core, claimed.union(CPUSet([cpu])))) }
                }
            }
            for cpu in cpus { owner[cpu] = pool.name }
            owned[pool.name] = cpus
        }
        return owned
    }

    /// The PUs of each pool: own CPUs, then shares of the policy order.
    static func assignPools(request: PlacementRequest, owned: [PoolName: CPUSet],
                            order: [PUIndex]) throws(PlacementError) -> [PoolName: [PUIndex]] {
        var assignment = owned.mapValues { Array($0) }
        var restPool: PoolName?
        var remaining = order[...]
        for pool in request.pools {
            let count: Int
            switch pool.size {
            case .workers(let workers): count = workers
            case .share(let fraction): count = Swift.max(1, Int((fraction * Double(order.count)).rounded(.down)))
            case .rest: restPool = pool.name; continue
            case .cpus: continue
            }
            guard count <= remaining.count else {
                throw PlacementError(.pool(pool.name), .tooManyWorkers(requested: count, available: remaining.count))
            }
            assignment[pool.name] = Array(remaining.prefix(count))
            remaining = remaining.dropFirst(count)
        }
        if let restPool {
            guard !remaining.isEmpty else { throw PlacementError(.pool(restPool), .nothingLeft) }
            assignment[restPool] = Array(remaining)
        }
        return assignment
    }

    // MARK: Queries

    /// The number of workers.
    public var count: Int { workers.count }

    /// The workers of one pool, in worker order.
    public func workers(in pool: PoolName) -> [WorkerPlacement] {
        workers.filter { $0.pool == pool }
    }

    /// The pools that have workers, in worker order.
    public var pools: [PoolName] {
        var seen = Set<PoolName>()
        return workers.map(\.pool).filter { seen.insert($0).inserted }
    }

    /// All PUs of the plan.
    public var cpus: CPUSet { CPUSet(workers.map(\.pu)) }

    /// One line per worker: `worker pool pu core node`.
    public var description: String {
        var lines = ["worker  pool      pu    core  node"]
        for worker in workers {
            lines.append(Self.column("\(worker.worker.rawValue)", 8) + Self.column(worker.pool.rawValue, 10)
                         + Self.column("\(worker.pu.rawValue)", 6) + Self.column("\(worker.core.rawValue)", 6)
                         + "\(worker.node.rawValue)")
        }
        return lines.joined(separator: "\n")
    }

    private static func column(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    #if DEBUG
    /// Checks the invariants of the type's documentation against the topology it was made for.
    public func _checkInvariants(on topology: Topology, reserved: CPUSet = CPUSet()) {
        var used = Set<PUIndex>()
        for (index, worker) in workers.enumerated() {
            precondition(worker.worker == WorkerID(index), "worker ids are not dense")
            precondition(used.insert(worker.pu).inserted, "\(worker.pu) used twice")
            precondition(!reserved.contains(worker.pu), "\(worker.pu) is reserved")
            guard let pu = topology.pu(worker.pu) else { preconditionFailure("\(worker.pu) not in the topology") }
            precondition(pu.core == worker.core && pu.node == worker.node, "\(worker.worker) has the wrong core or node")
        }
    }
    #endif
}

/// Where one worker of a plan runs.
public struct WorkerPlacement: Sendable, Hashable, CustomStringConvertible {
    /// The worker's id, its index in the plan.
    public let worker: WorkerID
    /// The pool the worker belongs to.
    public let pool: PoolName
    /// The PU it runs on (its OS index).
    public let pu: PUIndex
    /// The core of that PU.
    public let core: CoreID
    /// The NUMA node of that PU, where the worker's memory lives.
    public let node: NodeID
    /// The package (socket) of that PU, if hwloc reports one.
    public let package: PackageID?

    /// A placement as given.
    public init(worker: WorkerID, pool: PoolName, pu: PUIndex, core: CoreID, node: NodeID, package: PackageID?) {
        self.worker = worker
        self.pool = pool
        self.pu = pu
        self.core = core
        self.node = node
        self.package = package
    }

    public var description: String { "\(worker) (\(pool)) on \(pu), \(core), \(node)" }
}
