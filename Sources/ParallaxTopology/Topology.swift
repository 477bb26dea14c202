import CParallaxTopology

/// The hardware a plan places workers on: packages, NUMA nodes, L3 groups,
/// cores and processing units (PUs), as hwloc reports them.
///
/// A topology comes from this machine, from an hwloc synthetic description
/// (`Topology(synthetic: "pack:2 numa:2 core:8 pu:2")`, so that plans for big
/// machines are tested on small ones) or from an hwloc XML export (`lstopo
/// --of xml`). The C shim flattens hwloc's tree into one record per PU and per
/// node; this type rebuilds the relations from those records.
///
/// ## Invariants (checked by `_checkInvariants()`)
/// - `pus` are in hwloc logical order, so PUs of one core are adjacent and
///   cores of one node are adjacent; OS indexes are unique;
/// - every PU belongs to exactly one core and one NUMA node of `numaNodes`;
/// - `cpus` is the union of the nodes' `cpus`, and of the cores' PUs.
///
/// A machine whose hwloc tree has no Core objects (some XML exports) gets one
/// core per PU, numbered after the real ones, so a core always exists.
public struct Topology: Sendable, Equatable, CustomStringConvertible {
    /// Where a topology came from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// This machine, restricted to the CPUs the process may run on.
        case thisMachine
        /// An hwloc synthetic description, such as `"pack:2 numa:2 core:8 pu:2"`.
        case synthetic(String)
        /// An hwloc XML export (`lstopo --of xml`).
        case xml(path: String)

        public var description: String {
            switch self {
            case .thisMachine: "this machine"
            case .synthetic(let text): "synthetic \"\(text)\""
            case .xml(let path): "XML \(path)"
            }
        }
    }

    /// One processing unit (hardware thread).
    public struct ProcessingUnit: Sendable, Hashable {
        /// Its OS index: the kernel's CPU number.
        public let os: PUIndex
        /// Its core.
        public let core: CoreID
        /// Its L3 cache group, if hwloc reports one.
        public let l3: L3ID?
        /// Its package (socket), if hwloc reports one.
        public let package: PackageID?
        /// Its NUMA node.
        public let node: NodeID
    }

    /// One core.
    public struct Core: Sendable, Hashable {
        /// Its hwloc logical index, unique over the machine.
        public let id: CoreID
        /// Its PUs (SMT siblings), in logical order.
        public let pus: [PUIndex]
        /// Its NUMA node.
        public let node: NodeID
        /// Its package (socket), if hwloc reports one.
        public let package: PackageID?
    }

    /// One NUMA node.
    public struct NUMANode: Sendable, Hashable {
        /// The node's number, as the kernel numbers it.
        public let id: NodeID
        /// The package (socket) the node belongs to, if hwloc reports one.
        public let package: PackageID?
        /// Memory attached to the node, in bytes.
        public let memoryBytes: UInt64
        /// PUs whose local node this is.
        public let cpus: CPUSet
    }

    /// One package (socket).
    public struct Package: Sendable, Hashable {
        /// Its hwloc logical index.
        public let id: PackageID
        /// Its NUMA nodes.
        public let nodes: [NodeID]
        /// Its PUs.
        public let cpus: CPUSet
    }

    /// The PUs that share one L3 cache.
    public struct L3Group: Sendable, Hashable {
        /// Its hwloc logical index.
        public let id: L3ID
        /// Its PUs.
        public let cpus: CPUSet
    }

    /// Where this topology came from.
    public let source: Source
    /// The packages (sockets).
    public let packages: [Package]
    /// The NUMA nodes.
    public let numaNodes: [NUMANode]
    /// The L3 cache groups (empty when hwloc reports none, as for synthetic descriptions without L3).
    public let l3Groups: [L3Group]
    /// The cores, in hwloc logical order.
    public let cores: [Core]
    /// All PUs, in hwloc logical order.
    public let pus: [ProcessingUnit]
    /// All PUs as a set of OS indexes.
    public let cpus: CPUSet
    private let puByOS: [PUIndex: Int]

    // MARK: Loading

    /// The machine this process runs on, restricted to the PUs the process
    /// may run on (its cgroup cpuset and its affinity mask, e.g. from
    /// `taskset`), so that every PU of a plan is one its workers can be pinned to.
    public static func thisMachine() throws(TopologyError) -> Topology {
        try load(.thisMachine)
    }

    /// A machine described in hwloc's synthetic syntax, e.g. `pack:2 numa:2 core:8 pu:2`.
    public init(synthetic description: String) throws(TopologyError) {
        self = try Self.load(.synthetic(description))
    }

    /// A machine exported with `lstopo --of xml` (or `hwloc-gather-topology`).
    public init(xmlPath path: String) throws(TopologyError) {
        self = try Self.load(.xml(path: path))
    }

    private static func load(_ source: Source) throws(TopologyError) -> Topology {
        var message = [CChar](repeating: 0, count: 512)
        let handle: OpaquePointer? = message.withUnsafeMutableBufferPointer { buffer in
            switch source {
            case .thisMachine: px_topology_load(px_topology_this_machine, nil, buffer.baseAddress, buffer.count)
            case .synthetic(let text): px_topology_load(px_topology_synthetic, text, buffer.baseAddress, buffer.count)
            case .xml(let path): px_topology_load(px_topology_xml, path, buffer.baseAddress, buffer.count)
            }
        }
        guard let handle else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw TopologyError.cannotLoad(source, reason: reason)
        }
        defer { px_topology_destroy(handle) }

        var pus: [px_topology_pu] = []
        for index in 0..<px_topology_pu_count(handle) {
            var record = px_topology_pu()
            guard px_topology_pu_at(handle, index, &record) == 0 else { break }
            pus.append(record)
        }
        var nodes: [px_topology_node] = []
        for index in 0..<px_topology_node_count(handle) {
            var record = px_topology_node()
            guard px_topology_node_at(handle, index, &record) == 0 else { break }
            nodes.append(record)
        }
        return try Topology(source: source, pus: pus, nodes: nodes, coreCount: Int(px_topology_core_count(handle)))
    }

    private init(source: Source, pus records: [px_topology_pu], nodes nodeRecords: [px_topology_node],
                 coreCount: Int) throws(TopologyError) {
        guard !records.isEmpty else { throw .inconsistent(source, "no processing units") }
        var nextSyntheticCore = Int32(coreCount)
        var pus: [ProcessingUnit] = []
        var puByOS: [PUIndex: Int] = [:]
        for record in records {
            let os = PUIndex(record.os_index)
            guard record.os_index >= 0, record.os_index < CPUSet.limit, puByOS[os] == nil else {
                throw .inconsistent(source, "PU OS index \(record.os_index) is invalid or repeated")
            }
            guard record.numa_node >= 0 else { throw .inconsistent(source, "PU \(record.os_index) has no NUMA node") }
            let core: CoreID
            if record.core >= 0 {
                core = CoreID(record.core)
            } else {
                core = CoreID(nextSyntheticCore)
                nextSyntheticCore += 1
            }
            puByOS[os] = pus.count
            pus.append(ProcessingUnit(os: os, core: core, l3: record.l3 >= 0 ? L3ID(record.l3) : nil,
                                      package: record.package >= 0 ? PackageID(record.package) : nil,
                                      node: NodeID(record.numa_node)))
        }

        var cores: [Core] = []
        var coreIndex: [CoreID: Int] = [:]
        for pu in pus {
            if let index = coreIndex[pu.core] {
                let old = cores[index]
                guard old.node == pu.node else {
                    throw .inconsistent(source, "core \(pu.core.rawValue) spans NUMA nodes \(old.node.rawValue) and \(pu.node.rawValue)")
                }
                cores[index] = Core(id: old.id, pus: old.pus + [pu.os], node: old.node, package: old.package)
            } else {
                coreIndex[pu.core] = cores.count
                cores.append(Core(id: pu.core, pus: [pu.os], node: pu.node, package: pu.package))
            }
        }

        var numaNodes: [NUMANode] = []
        for record in nodeRecords {
            let id = NodeID(record.os_index)
            let cpus = CPUSet(pus.filter { $0.node == id }.map(\.os))
            numaNodes.append(NUMANode(id: id, package: record.package >= 0 ? PackageID(record.package) : nil,
                                      memoryBytes: record.local_memory, cpus: cpus))
        }
        for pu in pus where !numaNodes.contains(where: { $0.id == pu.node }) {
            throw .inconsistent(source, "PU \(pu.os.rawValue) names NUMA node \(pu.node.rawValue), which hwloc did not list")
        }

        let packageIDs = Set(pus.compactMap(\.package)).union(numaNodes.compactMap(\.package)).sorted()
        let packages = packageIDs.map { id in
            Package(id: id, nodes: numaNodes.filter { $0.package == id }.map(\.id),
                    cpus: CPUSet(pus.filter { $0.package == id }.map(\.os)))
        }
        let l3Groups = Set(pus.compactMap(\.l3)).sorted().map { id in
            L3Group(id: id, cpus: CPUSet(pus.filter { $0.l3 == id }.map(\.os)))
        }

        self.source = source
        self.pus = pus
        self.puByOS = puByOS
        self.cores = cores
        self.numaNodes = numaNodes
        self.packages = packages
        self.l3Groups = l3Groups
        self.cpus = CPUSet(pus.map(\.os))
    }

    // MARK: Queries

    /// The PU with OS index `os`, if the machine has it.
    public func pu(_ os: PUIndex) -> ProcessingUnit? {
        puByOS[os].map { pus[$0] }
    }

    /// The NUMA node numbered `id`, if the machine has it.
    public func node(_ id: NodeID) -> NUMANode? {
        numaNodes.first { $0.id == id }
    }

    /// Throws `.notPresent` (quoting `text`) unless every CPU of `set` is a PU of this machine.
    public func checkPresent(_ set: CPUSet, text: String) throws(CPUListError) {
        let missing = set.subtracting(cpus)
        guard missing.isEmpty else {
            throw CPUListError(text: text, item: text, reason: .notPresent(missing: missing, available: cpus))
        }
    }

    /// Parses a cpulist and checks that this machine has every CPU of it.
    public func cpuSet(cpulist text: String) throws(CPUListError) -> CPUSet {
        let set = try CPUSet(cpulist: text)
        try checkPresent(set, text: text)
        return set
    }

    public static func == (lhs: Topology, rhs: Topology) -> Bool {
        lhs.pus == rhs.pus && lhs.numaNodes == rhs.numaNodes && lhs.packages == rhs.packages
            && lhs.l3Groups == rhs.l3Groups
    }

    public var description: String {
        func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        return [counted(packages.count, "package"), counted(numaNodes.count, "NUMA node"),
                counted(l3Groups.count, "L3 group"), counted(cores.count, "core"), counted(pus.count, "PU")]
            .joined(separator: ", ") + " (\(source))"
    }

    #if DEBUG
    /// Checks the invariants of the type's documentation.
    public func _checkInvariants() {
        precondition(Set(pus.map(\.os)).count == pus.count, "PU OS indexes repeat")
        precondition(cores.reduce(0) { $0 + $1.pus.count } == pus.count, "cores do not partition the PUs")
        var seenCores = Set<CoreID>()
        var previous: CoreID?
        for pu in pus where pu.core != previous {
            precondition(seenCores.insert(pu.core).inserted, "PUs of \(pu.core) are not adjacent")
            previous = pu.core
        }
        let union = numaNodes.reduce(CPUSet()) { $0.union($1.cpus) }
        precondition(union == cpus, "NUMA nodes do not cover the PUs")
        precondition(numaNodes.reduce(0) { $0 + $1.cpus.count } == pus.count, "a PU is in two nodes")
    }
    #endif
}

/// Why a topology could not be had.
public enum TopologyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// hwloc rejected the description or file; `reason` is its explanation.
    case cannotLoad(Topology.Source, reason: String)
    /// hwloc loaded something this model cannot represent.
    case inconsistent(Topology.Source, String)

    public var description: String {
        switch self {
        case .cannotLoad(_, let reason): "cannot load topology: \(reason)"
        case .inconsistent(let source, let what): "topology of \(source) is not usable: \(what)"
        }
    }
}
