import ParallaxTestSupport
import Testing
@testable import ParallaxTopology

/// Synthetic machines with 1, 2, 4 and 8 NUMA nodes, with and without SMT.
let machines = [
    "pack:1 numa:1 core:4 pu:1",
    "pack:1 numa:1 core:4 pu:2",
    "pack:2 numa:1 core:4 pu:1",
    "pack:2 numa:1 core:3 pu:2",
    "pack:2 numa:2 core:4 pu:1",
    "pack:2 numa:2 core:8 pu:2",
    "pack:4 numa:2 core:2 pu:1",
    "pack:4 numa:2 core:2 pu:2",
]

/// Position of each PU in hwloc's logical order.
func logicalPositions(_ topology: Topology) -> [PUIndex: Int] {
    Dictionary(uniqueKeysWithValues: topology.pus.enumerated().map { ($0.element.os, $0.offset) })
}

/// Rank of each PU among the PUs of its core (0 for the first sibling).
func siblingRanks(_ topology: Topology) -> [PUIndex: Int] {
    var ranks: [PUIndex: Int] = [:]
    for core in topology.cores { for (rank, pu) in core.pus.enumerated() { ranks[pu] = rank } }
    return ranks
}

@Suite struct PlacementPlanTests {
    @Test(arguments: machines, [SMTUse.siblings, .onePerCore])
    func compactFillsOneNodeBeforeTheNext(machine: String, smt: SMTUse) throws {
        let topology = try Topology(synthetic: machine)
        let plan = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .compact, smt: smt))
        plan._checkInvariants(on: topology)
        let expectedCount = smt == .siblings ? topology.pus.count : topology.cores.count
        #expect(plan.count == expectedCount)
        let positions = logicalPositions(topology)
        for (previous, next) in zip(plan.workers, plan.workers.dropFirst()) {
            #expect(previous.node <= next.node, "\(machine): node order goes back at \(next)")
            if previous.node == next.node {
                #expect(positions[previous.pu]! < positions[next.pu]!, "\(machine): logical order within a node")
            }
        }
        // A node is complete before the next one starts.
        for node in topology.numaNodes {
            let onNode = plan.workers.filter { $0.node == node.id }
            let expected = smt == .siblings ? node.cpus.count : Set(topology.cores.filter { $0.node == node.id }.map(\.id)).count
            #expect(onNode.count == expected)
            let indexes = onNode.map(\.worker.rawValue)
            #expect(indexes.last! - indexes.first! + 1 == indexes.count, "\(machine): node \(node.id) workers are consecutive")
        }
        if smt == .onePerCore {
            #expect(Set(plan.workers.map(\.core)).count == plan.count, "one worker per core")
        }
    }

    @Test(arguments: machines, [SMTUse.siblings, .onePerCore])
    func spreadRoundRobinsOverNodes(machine: String, smt: SMTUse) throws {
        let topology = try Topology(synthetic: machine)
        let plan = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .spread, smt: smt))
        plan._checkInvariants(on: topology)
        let nodes = topology.numaNodes.map(\.id).sorted()
        // The machines are symmetric: worker k is on the k-th node round-robin.
        for worker in plan.workers {
            #expect(worker.node == nodes[worker.worker.rawValue % nodes.count], "\(machine): \(worker)")
        }
        // Within a node: every core gets a worker before any core gets a second one.
        let ranks = siblingRanks(topology)
        for node in nodes {
            let onNode = plan.workers.filter { $0.node == node }
            let rankSequence = onNode.map { ranks[$0.pu]! }
            #expect(rankSequence == rankSequence.sorted(), "\(machine): siblings only after every core")
            let coresOnNode = topology.cores.filter { $0.node == node }.count
            #expect(Set(onNode.prefix(coresOnNode).map(\.core)).count == coresOnNode)
        }
        #expect(plan.count == (smt == .siblings ? topology.pus.count : topology.cores.count))
    }

    @Test func doneWhenTwoSocketSpreadAlternatesAndCompactFillsNodeZero() throws {
        let topology = try Topology(synthetic: "pack:2 numa:2 core:8 pu:2")
        let spread = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .spread))
        for (previous, next) in zip(spread.workers, spread.workers.dropFirst()) {
            #expect(previous.node != next.node, "consecutive spread workers \(previous) and \(next) share a node")
        }
        #expect(spread.workers.prefix(4).map(\.node) == (0..<4).map { NodeID($0) })
        let compact = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .compact))
        #expect(compact.workers.prefix(16).allSatisfy { $0.node == NodeID(0) })
        #expect(compact.workers[16].node == NodeID(1))
        #expect(compact.workers.prefix(4).map(\.pu) == [0, 1, 2, 3].map { PUIndex($0) }, "siblings side by side")
    }

    @Test(arguments: machines)
    func explicitUsesExactlyTheList(machine: String) throws {
        let topology = try Topology(synthetic: machine)
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededGenerator(seed: seed)
        var cpus = CPUSet()
        for pu in topology.pus where Bool.random(using: &rng) { cpus.insert(pu.os) }
        if cpus.isEmpty { cpus.insert(topology.pus[0].os) }
        let plan = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .explicit(cpus)))
        #expect(plan.workers.map(\.pu) == Array(cpus), "seed \(seed)")
        plan._checkInvariants(on: topology)
    }

    @Test func reservedCPUsAreLeftAlone() throws {
        let topology = try Topology(synthetic: "pack:2 numa:1 core:4 pu:2")
        let reserved: CPUSet = [0, 8]
        let plan = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .compact, reserved: reserved))
        plan._checkInvariants(on: topology, reserved: reserved)
        #expect(plan.count == 14)
        #expect(plan.cpus.isDisjoint(with: reserved))
        // One per core: core 0 keeps its second PU.
        let perCore = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .compact, smt: .onePerCore, reserved: reserved))
        #expect(perCore.workers.first?.pu == PUIndex(1))
        #expect(perCore.count == 8)
    }

    @Test func poolsTakeTheirCPUsAndShares() throws {
        let topology = try Topology(synthetic: "pack:2 numa:2 core:8 pu:2")
        let request = PlacementRequest(policy: .spread, smt: .onePerCore, reserved: [0], pools: [
            PoolRequest(.precheck, .workers(4)),
            PoolRequest(.execute, .rest),
            PoolRequest(.commit, .cpus([62])),
        ])
        let plan = try PlacementPlan(topology: topology, request: request)
        plan._checkInvariants(on: topology, reserved: [0])
        let precheck = plan.workers(in: .precheck)
        let execute = plan.workers(in: .execute)
        let commit = plan.workers(in: .commit)
        #expect(precheck.map(\.node) == (0..<4).map { NodeID($0) }, "the first PUs of the spread order")
        #expect(commit.map(\.pu) == [PUIndex(62)])
        // 32 cores, core 0 on PU 1 (PU 0 reserved), core 31 given to commit.
        #expect(execute.count == 32 - 4 - 1)
        #expect(plan.pools == [.precheck, .execute, .commit])
        #expect(plan.workers.map(\.worker.rawValue) == Array(0..<plan.count))
        #expect(Set(plan.workers.map(\.core)).count == plan.count)

        let shared = try PlacementPlan(topology: topology, request: PlacementRequest(pools: [
            PoolRequest(.precheck, .share(0.25)), PoolRequest(.execute, .share(0.5)), PoolRequest(.commit, .rest),
        ]))
        #expect(shared.workers(in: .precheck).count == 16)
        #expect(shared.workers(in: .execute).count == 32)
        #expect(shared.workers(in: .commit).count == 16)
    }

    @Test func restPoolGetsWhatIsLeftWhereverItIsListed() throws {
        let topology = try Topology(synthetic: "pack:1 numa:1 core:8 pu:1")
        let plan = try PlacementPlan(topology: topology, request: PlacementRequest(pools: [
            PoolRequest(.execute, .rest), PoolRequest(.commit, .workers(2)),
        ]))
        #expect(plan.workers(in: .commit).map(\.pu) == [0, 1].map { PUIndex($0) })
        #expect(plan.workers(in: .execute).map(\.pu) == (2..<8).map { PUIndex($0) })
        #expect(plan.workers.first?.pool == .execute, "worker ids follow the listed pool order")
    }

    @Test func plansPrintAndCompare() throws {
        let topology = try Topology(synthetic: "pack:2 numa:1 core:2 pu:1")
        let a = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .spread))
        let b = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .spread))
        let c = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .compact))
        #expect(a == b)
        #expect(a != c)
        #expect(a.description == """
            worker  pool      pu    core  node
            0       execute   0     0     0
            1       execute   2     2     1
            2       execute   1     1     0
            3       execute   3     3     1
            """)
    }

    @Test func errorsNameTheirSubject() throws {
        let topology = try Topology(synthetic: "pack:1 numa:1 core:4 pu:2")
        func failure(_ request: PlacementRequest) -> PlacementError? {
            do { _ = try PlacementPlan(topology: topology, request: request); return nil } catch { return error }
        }
        #expect(failure(PlacementRequest(reserved: [9])) == PlacementError(.reserved, .notPresent(missing: [9], available: topology.cpus)))
        #expect(failure(PlacementRequest(policy: .explicit([1, 12]))) == PlacementError(.policyCPUs, .notPresent(missing: [12], available: topology.cpus)))
        #expect(failure(PlacementRequest(policy: .explicit(CPUSet()))) == PlacementError(.policyCPUs, .emptyCPUs))
        #expect(failure(PlacementRequest(policy: .explicit([0, 1]), reserved: [1])) == PlacementError(.policyCPUs, .reservedCPUs([1])))
        #expect(failure(PlacementRequest(policy: .explicit([0, 1, 2]), smt: .onePerCore)) == PlacementError(.policyCPUs, .siblings(CoreID(0), [0, 1])))
        #expect(failure(PlacementRequest(pools: [])) == PlacementError(.pools, .noPools))
        #expect(failure(PlacementRequest(pools: [PoolRequest(.execute, .rest), PoolRequest(.execute, .workers(1))])) == PlacementError(.pool(.execute), .duplicatePool))
        #expect(failure(PlacementRequest(pools: [PoolRequest(.execute, .rest), PoolRequest(.commit, .rest)])) == PlacementError(.pool(.commit), .secondRestPool(first: .execute)))
        #expect(failure(PlacementRequest(pools: [PoolRequest(.execute, .workers(0))])) == PlacementError(.pool(.execute), .invalidWorkerCount(0)))
        #expect(failure(PlacementRequest(pools: [PoolRequest(.execute, .share(1.5))])) == PlacementError(.pool(.execute), .invalidShare(1.5)))
        #expect(failure(PlacementRequest(pools: [PoolRequest(.execute, .workers(9))])) == PlacementError(.pool(.execute), .tooManyWorkers(requested: 9, available: 8)))
        #expect(failure(PlacementRequest(pools: [PoolRequest(.precheck, .workers(5)), PoolRequest(.execute, .workers(4))])) == PlacementError(.pool(.execute), .tooManyWorkers(requested: 4, available: 3)))
        #expect(failure(PlacementRequest(pools: [PoolRequest(.precheck, .cpus([0, 1])), PoolRequest(.commit, .cpus([1, 2]))])) == PlacementError(.pool(.commit), .inTwoPools([1], other: .precheck)))
        #expect(failure(PlacementRequest(reserved: [3], pools: [PoolRequest(.commit, .cpus([2, 3]))])) == PlacementError(.pool(.commit), .reservedCPUs([3])))
        #expect(failure(PlacementRequest(smt: .onePerCore, pools: [PoolRequest(.precheck, .cpus([4])), PoolRequest(.commit, .cpus([5]))])) == PlacementError(.pool(.commit), .siblings(CoreID(2), [4, 5])))
        #expect(failure(PlacementRequest(pools: [PoolRequest(.precheck, .cpus([4])), PoolRequest(.commit, .cpus([5]))])) == nil, "siblings in two pools are fine with smt = siblings")
        #expect(failure(PlacementRequest(pools: [PoolRequest(.precheck, .workers(8)), PoolRequest(.execute, .rest)])) == PlacementError(.pool(.execute), .nothingLeft))
        let message = failure(PlacementRequest(pools: [PoolRequest(.execute, .workers(9))]))!.description
        #expect(message == "pool execute: 9 workers requested but only 8 processing units are left for them")
    }
}
