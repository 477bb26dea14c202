import CParallaxCore
import ParallaxConfig
import ParallaxTopology
import Testing

/// The repository root, found from this file's path.
func repositoryPath(_ relative: String, file: String = #filePath) -> String {
    let parts = file.split(separator: "/", omittingEmptySubsequences: false)
    return parts.dropLast(3).joined(separator: "/") + "/" + relative
}

/// The machine `Examples/topology-2socket.toml` describes.
let twoSocket = "pack:2 numa:2 core:16 pu:2(indexes=2*64:1*2)"

/// The message of the error `text` gets, checked against a file named `test.toml`.
func configError(_ text: String, topology: Topology? = nil) -> String? {
    do {
        let config = try TopologyConfig.parse(text, file: "test.toml")
        if let topology { _ = try config.plan(on: topology) }
        return nil
    } catch {
        return error.description
    }
}

@Suite struct TopologyConfigTests {
    @Test func twoSocketExampleLoadsAndPlans() throws {
        let topology = try Topology(synthetic: twoSocket)
        #expect(topology.cores.count == 64 && topology.pus.count == 128 && topology.numaNodes.count == 4)
        #expect(topology.cores[5].pus == [PUIndex(5), PUIndex(69)], "Linux numbering: siblings k and k + 64")

        let path = repositoryPath("Examples/topology-2socket.toml")
        let config = try TopologyConfig.load(file: path)
        #expect(config.placement.policy == .spread)
        #expect(config.placement.smt == .onePerCore)
        #expect(config.placement.reserved == [0, 64])
        #expect(config.placement.pools == [
            PoolRequest(.precheck, .workers(8)), PoolRequest(.execute, .rest), PoolRequest(.commit, .cpus([32])),
        ])
        #expect(config.workers == WorkerPool.Options(pinning: .pinned, inboxCapacity: 1024, scratchBytes: 65536))

        let plan = try config.plan(on: topology)
        #expect(plan.workers(in: .precheck).map(\.node.rawValue) == [0, 1, 2, 3, 0, 1, 2, 3])
        #expect(plan.workers(in: .commit).map(\.pu) == [PUIndex(32)])
        #expect(plan.workers(in: .execute).count == 54)
        #expect(plan.count == 63, "64 cores, core 0 reserved")
        #expect(plan.cpus.isDisjoint(with: [0, 64]))
        #expect(Set(plan.workers.map(\.core)).count == plan.count, "one worker per core")
        #expect(plan.workers.allSatisfy { $0.pu.rawValue < 64 }, "the first thread of each core")
    }

    @Test func emptyFileMeansDefaults() throws {
        let config = try TopologyConfig.parse("# nothing\n", file: "empty.toml")
        #expect(config.placement == PlacementRequest())
        #expect(config.workers == WorkerPool.Options())
        let topology = try Topology(synthetic: "pack:2 numa:1 core:2 pu:2")
        #expect(try config.plan(on: topology).count == 8)
    }

    @Test func explicitPolicyAndShares() throws {
        let config = try TopologyConfig.parse("""
            [placement]
            policy = "explicit"
            cpus = "4-7,12-15"
            [pools.precheck]
            share = 0.25
            [pools.execute]
            [workers]
            pin = false
            inbox_capacity = 64
            """, file: "x.toml")
        let plan = try config.plan(on: try Topology(synthetic: "pack:2 numa:1 core:8 pu:1"))
        #expect(plan.workers(in: .precheck).map(\.pu) == [PUIndex(4), PUIndex(5)])
        #expect(plan.workers(in: .execute).map(\.pu.rawValue) == [6, 7, 12, 13, 14, 15])
        #expect(config.workers.pinning == .unpinned)
        #expect(config.workers.inboxCapacity == 64)
    }

    @Test func everyErrorNamesFileKeyAndProblem() throws {
        let machine = try Topology(synthetic: "pack:2 numa:1 core:4 pu:2")
        let cases: [(String, String)] = [
            ("[engine]\nthreads = 4",
             #"test.toml: engine: unknown key (known keys here: "placement", "pools", "workers")"#),
            ("[placement]\npolcy = \"spread\"",
             #"test.toml: placement.polcy: unknown key (known keys here: "policy", "cpus", "smt", "reserved")"#),
            ("[pools.verify]\nworkers = 2",
             #"test.toml: pools.verify: unknown key (known keys here: "precheck", "execute", "commit")"#),
            ("[pools.execute]\nworkers = \"four\"",
             "test.toml: pools.execute.workers: expected an integer, found a TOML string"),
            ("[pools.execute]\nshare = 1",
             "test.toml: pools.execute.share: expected a floating-point number, found a TOML integer"),
            ("[workers]\npin = \"yes\"",
             "test.toml: workers.pin: expected a boolean, found a TOML string"),
            ("placement = 3",
             "test.toml: placement: expected a table, found a TOML integer"),
            ("[placement]\nreserved = [0, 1]",
             "test.toml: placement.reserved: expected a string, found a TOML array"),
            ("[placement]\npolicy = \"random\"",
             #"test.toml: placement.policy: unknown value "random" (expected one of "compact", "spread", "explicit")"#),
            ("[placement]\nsmt = \"off\"",
             #"test.toml: placement.smt: unknown value "off" (expected one of "siblings", "one-per-core")"#),
            ("[placement]\nreserved = \"0-3,x\"",
             #"test.toml: placement.reserved: malformed cpulist "0-3,x": "x" is neither a CPU number nor a range like 0-3"#),
            ("[pools.commit]\ncpus = \"5-2\"",
             #"test.toml: pools.commit.cpus: malformed cpulist "5-2": range "5-2" is reversed (write low-high)"#),
            ("[placement]\npolicy = \"explicit\"",
             #"test.toml: placement.cpus: missing: policy "explicit" needs a cpulist in placement.cpus"#),
            ("[placement]\npolicy = \"spread\"\ncpus = \"1-3\"",
             #"test.toml: placement.cpus: only policy "explicit" takes a CPU list (policy is spread)"#),
            ("[pools.execute]\nworkers = 2\ncpus = \"1\"",
             "test.toml: pools.execute.workers: a pool has one of cpus, workers or share, and pools.execute.cpus is set too"),
            ("[pools.precheck]\n[pools.execute]",
             "test.toml: pools.execute: pools.precheck already takes the rest; give this pool cpus, workers or share"),
            ("[pools.execute]\nworkers = 0",
             "test.toml: pools.execute.workers: 0 is not between 1 and 65536"),
            ("[pools.execute]\nshare = 1.5",
             "test.toml: pools.execute.share: 1.5 is not in (0, 1]"),
            ("[workers]\ninbox_capacity = 1",
             "test.toml: workers.inbox_capacity: 1 is not between 2 and 16777216"),
            ("[pools]",
             "test.toml: pools: missing: at least one pool (precheck, execute or commit)"),
        ]
        for (text, expected) in cases {
            #expect(configError(text) == expected, "config:\n\(text)")
        }

        // Errors that need the machine (16 CPUs, 0-15).
        let planCases: [(String, String)] = [
            ("[pools.commit]\ncpus = \"20\"",
             "test.toml: pools.commit.cpus: CPUs 20 not present on this machine (it has CPUs 0-15)"),
            ("[placement]\nreserved = \"15-16\"",
             "test.toml: placement.reserved: CPUs 16 not present on this machine (it has CPUs 0-15)"),
            ("[placement]\npolicy = \"explicit\"\ncpus = \"0-31\"",
             "test.toml: placement.cpus: CPUs 16-31 not present on this machine (it has CPUs 0-15)"),
            ("[pools.precheck]\ncpus = \"1-3\"\n[pools.commit]\ncpus = \"3-4\"",
             "test.toml: pools.commit.cpus: CPUs 3 are already in pool precheck; a CPU can be in one pool only"),
            ("[pools.execute]\nworkers = 17",
             "test.toml: pools.execute.workers: 17 workers requested but only 16 processing units are left for them"),
            ("[placement]\nsmt = \"one-per-core\"\n[pools.execute]\nworkers = 9",
             "test.toml: pools.execute.workers: 9 workers requested but only 8 processing units are left for them"),
            ("[placement]\nreserved = \"0\"\n[pools.commit]\ncpus = \"0\"",
             "test.toml: pools.commit.cpus: CPUs 0 are reserved for the OS"),
            ("[placement]\nsmt = \"one-per-core\"\n[pools.commit]\ncpus = \"2-3\"",
             "test.toml: pools.commit.cpus: CPUs 2-3 are SMT siblings of core1 but smt is one-per-core"),
            ("[pools.precheck]\nworkers = 16\n[pools.execute]",
             "test.toml: pools.execute: no processing unit is left for this pool after the other pools and the reserved CPUs"),
        ]
        for (text, expected) in planCases {
            #expect(configError(text, topology: machine) == expected, "config:\n\(text)")
        }
    }

    /// The usage example of docs/topology.md, on this machine with the default config.
    @Test func documentedExecutorPatternRuns() throws {
        let topology = try Topology.thisMachine()
        let config = try TopologyConfig.parse("", file: "defaults.toml")
        let plan = try config.plan(on: topology)
        let pool = try WorkerPool(plan: plan, pool: .execute, options: config.workers)

        let statusByNode = Dictionary(uniqueKeysWithValues: try pool.nodes.map { node in
            (node, try SlotArray(count: 4096, lineSize: .line, node: node))
        })
        let visits = try SlotArray(count: pool.count, lineSize: .line)
        try pool.broadcast { worker in
            let local = statusByNode[worker.node]!
            px_atomic_store(local.word(worker.index), UInt64(worker.pu.rawValue) + 1, px_store_relaxed)
            _ = px_atomic_fetch_add(visits.word(worker.index), 1, px_rmw_relaxed)
        }
        pool.shutdown()
        for (index, placement) in plan.workers.enumerated() {
            #expect(px_atomic_load(visits.word(index), px_load_relaxed) == 1)
            #expect(px_atomic_load(statusByNode[placement.node]!.word(index), px_load_relaxed) == UInt64(placement.pu.rawValue) + 1)
        }
    }

    @Test func syntaxErrorsGiveTheirPosition() {
        let message = configError("[placement]\npolicy = spread\n")
        #expect(message?.hasPrefix("test.toml:2:") == true, "\(String(describing: message))")
        #expect(message?.contains("TOML syntax error") == true)
    }

    /// TOMLKit's toml++ aborts (debug) or assumes the impossible (release) on a
    /// table header whose key starts with no key character; the config fuzz
    /// target found `[.5}` (Fuzz/corpus/config holds it). Each is a syntax error
    /// at the offending character now, and valid lines that open with `[`
    /// inside values still parse.
    @Test func malformedTableHeadersAreSyntaxErrors() {
        let cases: [(text: String, position: String)] = [
            ("[pools.precheck]\nshare = 0.25\n[.5}, \"x\"]\n", "test.toml:3:2:"),
            ("[[[1]]]\n", "test.toml:1:3:"),
            ("[[=\n", "test.toml:1:3:"),
            ("# [ok]\nx = \"\"\"\n\"\"\"\n  [ {a = 1}]\n", "test.toml:4:5:"),
            ("[workers]\npin = true\n[\t$]\n", "test.toml:3:3:"),
        ]
        for (text, position) in cases {
            let message = configError(text)
            #expect(message?.hasPrefix(position) == true && message?.contains("TOML syntax error") == true,
                    "\(text.debugDescription): \(String(describing: message))")
        }
        // A nested array on a line of its own, brackets in strings and comments: valid TOML, so
        // the error is the unknown key, not the syntax.
        let valid = "x = [\n  [{ a = 1 }],\n  \"[{\", '''\n[{\n''', # [{\n]\n"
        #expect(configError(valid) == "test.toml: x: unknown key (known keys here: \"placement\", \"pools\", \"workers\")")
    }

    @Test func unreadableFilesNameThePath() {
        do {
            _ = try TopologyConfig.load(file: "/nonexistent/parallax.toml")
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.description == "/nonexistent/parallax.toml: cannot read the config file: No such file or directory")
        }
    }
}
