import ArgumentParser
import Parallax
import ParallaxConfig
import ParallaxTopology
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `parallax-perf topology`: the machine as hwloc sees it (or a synthetic or
/// XML one) and the placement plan a config file gives on it; with `--run`,
/// starts the plan's workers on this machine and reports the affinity each
/// one actually got.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print the topology and the placement plan of a config file.",
        discussion: """
            Without --synthetic or --xml the topology is this machine's. Without --config the \
            plan is the default one (compact, every PU in the execute pool). A config error \
            exits with status 2 and the error on stderr, as does a synthetic description or \
            XML file that hwloc rejects.
            """
    )

    @Option(help: "Topology config file (TOML, see docs/topology.md).") var config: String?
    @Option(help: "hwloc synthetic description, e.g. \"pack:2 numa:2 core:8 pu:2\".") var synthetic: String?
    @Option(help: "hwloc XML export (lstopo --of xml).") var xml: String?
    @Flag(name: .customLong("run"), help: "Start the plan's workers (this machine only) and report their verified affinity.")
    var startWorkers = false
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard synthetic == nil || xml == nil else { throw ValidationError("use --synthetic or --xml, not both") }
        guard !startWorkers || (synthetic == nil && xml == nil) else {
            throw ValidationError("--run starts threads on this machine: it cannot use --synthetic or --xml")
        }
    }

    func run() throws {
        let topology: Topology
        let settings: TopologyConfig
        let plan: PlacementPlan
        do {
            if let synthetic {
                topology = try Topology(synthetic: synthetic)
            } else if let xml {
                topology = try Topology(xmlPath: xml)
            } else {
                topology = try Topology.thisMachine()
            }
            settings = try config.map { path throws(ConfigError) in try TopologyConfig.load(file: path) } ?? TopologyConfig()
            plan = try settings.plan(on: topology)
        } catch {
            printError("parallax-perf topology: \(error)")
            throw ExitCode(2)
        }

        var affinity: [CPUSet?]?
        if startWorkers {
            do {
                affinity = try observedAffinity(plan: plan, options: settings.workers)
            } catch {
                printError("parallax-perf topology: \(error)")
                throw ExitCode(1)
            }
        }
        print(json ? jsonReport(topology, settings, plan, affinity) : textReport(topology, settings, plan, affinity))
    }

    /// The affinity each worker's thread reports from inside a broadcast.
    func observedAffinity(plan: PlacementPlan, options: WorkerPool.Options) throws -> [CPUSet?] {
        let pool = try WorkerPool(workers: plan.workers, options: options)
        defer { pool.shutdown() }
        let seen = Mutex<[Int: CPUSet]>([:])
        try pool.broadcast { context in
            let current = try? ThreadAffinity.current()
            seen.withLock { $0[context.index] = current }
        }
        let observed = seen.withLock { $0 }
        return plan.workers.indices.map { observed[$0] }
    }

    func textReport(_ topology: Topology, _ settings: TopologyConfig, _ plan: PlacementPlan,
                    _ affinity: [CPUSet?]?) -> String {
        var lines = ["topology: \(topology)"]
        for node in topology.numaNodes {
            let package = node.package.map { "package \($0.rawValue)" } ?? "no package"
            lines.append("  \(node.id): \(package), \(node.memoryBytes >> 20) MiB, CPUs \(node.cpus.cpulist)")
        }
        let request = settings.placement
        let reserved = request.reserved.isEmpty ? "none" : request.reserved.cpulist
        lines.append("plan (\(config ?? "default config")): policy \(request.policy), smt \(request.smt), reserved \(reserved)")
        for pool in plan.pools {
            let workers = plan.workers(in: pool)
            let nodes = Set(workers.map(\.node)).sorted().map { "\($0.rawValue)" }.joined(separator: ",")
            lines.append("  pool \(pool): \(workers.count) worker\(workers.count == 1 ? "" : "s") on CPUs \(CPUSet(workers.map(\.pu)).cpulist) (nodes \(nodes))")
        }
        lines.append(plan.description)
        if let affinity {
            let pinned = zip(plan.workers, affinity).filter { $0.1 == CPUSet([$0.0.pu]) }.count
            lines.append("pinning: \(pinned) of \(plan.count) workers run on exactly their PU (sched_getaffinity)")
        }
        return lines.joined(separator: "\n")
    }

    func jsonReport(_ topology: Topology, _ settings: TopologyConfig, _ plan: PlacementPlan,
                    _ affinity: [CPUSet?]?) -> String {
        let nodes = topology.numaNodes.map { node in
            #"{"node":\#(node.id.rawValue),"package":\#(node.package.map { "\($0.rawValue)" } ?? "null"),"memory_bytes":\#(node.memoryBytes),"cpus":\#(jsonString(node.cpus.cpulist))}"#
        }
        let topologyJSON = #"{"source":\#(jsonString(topology.source.description)),"packages":\#(topology.packages.count),"numa_nodes":\#(topology.numaNodes.count),"l3_groups":\#(topology.l3Groups.count),"cores":\#(topology.cores.count),"pus":\#(topology.pus.count),"cpus":\#(jsonString(topology.cpus.cpulist)),"nodes":[\#(nodes.joined(separator: ","))]}"#
        let workers = plan.workers.map { worker in
            #"{"worker":\#(worker.worker.rawValue),"pool":"\#(worker.pool)","pu":\#(worker.pu.rawValue),"core":\#(worker.core.rawValue),"numa_node":\#(worker.node.rawValue),"package":\#(worker.package.map { "\($0.rawValue)" } ?? "null")}"#
        }
        let pools = plan.pools.map { #""\#($0)":\#(plan.workers(in: $0).count)"# }
        let request = settings.placement
        var planJSON = #"{"policy":\#(jsonString(request.policy.description)),"smt":"\#(request.smt)","reserved":\#(jsonString(request.reserved.cpulist)),"pools":{\#(pools.joined(separator: ","))},"workers":[\#(workers.joined(separator: ","))]"#
        if let affinity {
            let entries = zip(plan.workers, affinity).map { worker, observed in
                #"{"worker":\#(worker.worker.rawValue),"pu":\#(worker.pu.rawValue),"affinity":\#(observed.map { jsonString($0.cpulist) } ?? "null"),"pinned":\#(observed == CPUSet([worker.pu]))}"#
            }
            planJSON += #","pinning":[\#(entries.joined(separator: ","))]"#
        }
        planJSON += "}"
        return #"{"config":\#(config.map(jsonString) ?? "null"),"topology":\#(topologyJSON),"plan":\#(planJSON)}"#
    }
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

/// `text` as a JSON string literal.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
