import ParallaxTopology
import TOMLKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The topology config file (TOML) as typed values: the placement request for
/// `PlacementPlan` and the options of `WorkerPool`. The format is documented
/// in docs/topology.md; `Examples/topology-2socket.toml` is a full example.
///
/// Reading is strict: every key must be known, every value must have the
/// documented type and range, and every problem is a `ConfigError` naming the
/// file, the key and what is wrong. Nothing is guessed: a missing key takes
/// its documented default, a wrong one is an error, never a default.
///
/// Checks that need the machine (a CPU the machine lacks, more workers than
/// PUs, a CPU in two pools) happen in `plan(on:)`, whose errors name the key
/// that caused them.
public struct TopologyConfig: Sendable, Equatable {
    /// The file the values came from (as given), for error messages.
    public let file: String
    /// The placement: policy, SMT use, reserved CPUs and pools (`[placement]` and `[pools.*]`).
    public var placement: PlacementRequest
    /// The worker pools' options (`[workers]`).
    public var workers: WorkerPool.Options
    /// The key that sized each pool (`pools.execute.workers`, ...), for errors found by the plan.
    var poolKeys: [PoolName: String]

    /// The defaults: compact, SMT siblings, nothing reserved, one `execute`
    /// pool with every PU, pinned workers.
    public init(file: String = "<defaults>") {
        self.file = file
        placement = PlacementRequest()
        workers = WorkerPool.Options()
        poolKeys = [.execute: "pools.execute"]
    }

    /// Reads and checks the config file at `path`.
    public static func load(file path: String) throws(ConfigError) -> TopologyConfig {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigError(file: path, key: nil, problem: .unreadable(error.reason))
        }
        return try parse(text, file: path)
    }

    /// Checks `text`, reporting errors against `file`.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> TopologyConfig {
        if let problem = TableHeaderCheck.firstProblem(in: text) {
            throw ConfigError(file: file, key: nil, problem: .syntax(line: problem.line, column: problem.column,
                                                                    message: problem.message))
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, key: nil, problem: .syntax(line: error.source.begin.line,
                                                                    column: error.source.begin.column,
                                                                    message: error.description))
        } catch {
            throw ConfigError(file: file, key: nil, problem: .syntax(line: 0, column: 0, message: "\(error)"))
        }
        // TOMLKit 0.6 never frees a parsed document (`TOMLTable` has no deinit,
        // since the tables inside share the root's nodes), so every load leaked
        // the whole tree (found by the config fuzz target under LeakSanitizer).
        // The reader copies what it keeps into Swift values, so the tree's nodes
        // are freed here. TOMLKit's smaller leaks stay, a few bytes per load:
        // the root's table object, each string value and key list read (C copies
        // it never frees), a parse error's record; it gives no way to free them.
        defer { root.clear() }
        var reader = Reader(file: file)
        return try reader.read(root)
    }

    /// The plan of this config on `topology`; placement errors name the key they come from.
    public func plan(on topology: Topology) throws(ConfigError) -> PlacementPlan {
        do {
            return try PlacementPlan(topology: topology, request: placement)
        } catch {
            let key: String
            switch error.subject {
            case .policyCPUs: key = "placement.cpus"
            case .reserved: key = "placement.reserved"
            case .pools: key = "pools"
            case .pool(let name): key = poolKeys[name] ?? "pools.\(name)"
            }
            throw ConfigError(file: file, key: key, problem: .placement(error))
        }
    }
}

// MARK: - Reading

private struct Reader {
    let file: String

    static let sections = ["placement", "pools", "workers"]
    static let placementKeys = ["policy", "cpus", "smt", "reserved"]
    static let poolKeys = ["cpus", "workers", "share"]
    static let workerKeys = ["pin", "inbox_capacity", "scratch_bytes"]
    static let policies = ["compact", "spread", "explicit"]

    func fail(_ key: String?, _ problem: ConfigError.Problem) -> ConfigError {
        ConfigError(file: file, key: key, problem: problem)
    }

    func checkKeys(_ table: TOMLTable, prefix: String?, allowed: [String]) throws(ConfigError) {
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw fail(prefix.map { "\($0).\(key)" } ?? key, .unknownKey(allowed: allowed))
        }
    }

    func table(_ parent: TOMLTable, _ key: String, path: String) throws(ConfigError) -> TOMLTable? {
        guard let value = parent[key] else { return nil }
        guard let table = value.table else { throw fail(path, .wrongType(expected: "a table", found: value.type.description)) }
        return table
    }

    func string(_ parent: TOMLTable, _ key: String, path: String) throws(ConfigError) -> String? {
        guard let value = parent[key] else { return nil }
        guard let string = value.string else { throw fail(path, .wrongType(expected: "a string", found: value.type.description)) }
        return string
    }

    func integer(_ parent: TOMLTable, _ key: String, path: String, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = parent[key] else { return nil }
        guard let integer = value.int else { throw fail(path, .wrongType(expected: "an integer", found: value.type.description)) }
        guard range.contains(integer) else {
            throw fail(path, .outOfRange("\(integer) is not between \(range.lowerBound) and \(range.upperBound)"))
        }
        return integer
    }

    func cpulist(_ parent: TOMLTable, _ key: String, path: String) throws(ConfigError) -> CPUSet? {
        guard let text = try string(parent, key, path: path) else { return nil }
        do {
            return try CPUSet(cpulist: text)
        } catch {
            throw fail(path, .cpulist(error))
        }
    }

    mutating func read(_ root: TOMLTable) throws(ConfigError) -> TopologyConfig {
        try checkKeys(root, prefix: nil, allowed: Self.sections)
        var config = TopologyConfig(file: file)

        if let placement = try table(root, "placement", path: "placement") {
            try checkKeys(placement, prefix: "placement", allowed: Self.placementKeys)
            let cpus = try cpulist(placement, "cpus", path: "placement.cpus")
            switch try string(placement, "policy", path: "placement.policy") {
            case nil, "compact": config.placement.policy = .compact
            case "spread": config.placement.policy = .spread
            case "explicit":
                guard let cpus else { throw fail("placement.cpus", .missing("policy \"explicit\" needs a cpulist in placement.cpus")) }
                config.placement.policy = .explicit(cpus)
            case let other?:
                throw fail("placement.policy", .unknownValue(other, allowed: Self.policies))
            }
            if cpus != nil, config.placement.policy == .compact || config.placement.policy == .spread {
                throw fail("placement.cpus", .conflict("only policy \"explicit\" takes a CPU list (policy is \(config.placement.policy))"))
            }
            if let smt = try string(placement, "smt", path: "placement.smt") {
                guard let use = SMTUse(rawValue: smt) else {
                    throw fail("placement.smt", .unknownValue(smt, allowed: SMTUse.allCases.map(\.rawValue)))
                }
                config.placement.smt = use
            }
            config.placement.reserved = try cpulist(placement, "reserved", path: "placement.reserved") ?? CPUSet()
        }

        if let pools = try table(root, "pools", path: "pools") {
            try checkKeys(pools, prefix: "pools", allowed: PoolName.allCases.map(\.rawValue))
            guard !pools.isEmpty else { throw fail("pools", .missing("at least one pool (precheck, execute or commit)")) }
            config.placement.pools = []
            config.poolKeys = [:]
            // Canonical stage order, whatever the order in the file: worker ids follow it.
            for name in PoolName.allCases {
                let path = "pools.\(name)"
                guard let pool = try table(pools, name.rawValue, path: path) else { continue }
                try checkKeys(pool, prefix: path, allowed: Self.poolKeys)
                let given = Self.poolKeys.filter { pool[$0] != nil }
                guard given.count <= 1 else {
                    throw fail("\(path).\(given[1])", .conflict("a pool has one of cpus, workers or share, and \(path).\(given[0]) is set too"))
                }
                var size = PoolSize.rest
                var key = path
                if let cpus = try cpulist(pool, "cpus", path: "\(path).cpus") {
                    guard !cpus.isEmpty else { throw fail("\(path).cpus", .outOfRange("the CPU list is empty")) }
                    size = .cpus(cpus)
                    key = "\(path).cpus"
                } else if let count = try integer(pool, "workers", path: "\(path).workers", range: 1...Int(CPUSet.limit)) {
                    size = .workers(count)
                    key = "\(path).workers"
                } else if let value = pool["share"] {
                    guard let share = value.double else {
                        throw fail("\(path).share", .wrongType(expected: "a floating-point number", found: value.type.description))
                    }
                    guard share > 0, share <= 1 else { throw fail("\(path).share", .outOfRange("\(share) is not in (0, 1]")) }
                    size = .share(share)
                    key = "\(path).share"
                }
                config.placement.pools.append(PoolRequest(name, size))
                config.poolKeys[name] = key
            }
            let rest = config.placement.pools.filter { $0.size == .rest }.map(\.name)
            if rest.count > 1 {
                throw fail("pools.\(rest[1])", .conflict("pools.\(rest[0]) already takes the rest; give this pool cpus, workers or share"))
            }
        }

        if let workers = try table(root, "workers", path: "workers") {
            try checkKeys(workers, prefix: "workers", allowed: Self.workerKeys)
            if let value = workers["pin"] {
                guard let pin = value.bool else { throw fail("workers.pin", .wrongType(expected: "a boolean", found: value.type.description)) }
                config.workers.pinning = pin ? .pinned : .unpinned
            }
            if let capacity = try integer(workers, "inbox_capacity", path: "workers.inbox_capacity", range: 2...(1 << 24)) {
                config.workers.inboxCapacity = capacity
            }
            if let bytes = try integer(workers, "scratch_bytes", path: "workers.scratch_bytes", range: 64...(1 << 34)) {
                config.workers.scratchBytes = bytes
            }
        }
        return config
    }
}

// MARK: - Errors

/// A problem with a config file: the file, the key (dotted, as in
/// `pools.execute.cpus`; nil for the file as a whole) and what is wrong.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the file or one of its keys.
    public enum Problem: Equatable, Sendable {
        /// The file could not be read; the associated value is the system's reason.
        case unreadable(String)
        /// The file is not valid TOML, at `line` and `column`.
        case syntax(line: Int, column: Int, message: String)
        /// A key the format does not have; `allowed` lists the keys known at that level.
        case unknownKey(allowed: [String])
        /// A value of the wrong TOML type.
        case wrongType(expected: String, found: String)
        /// A string value outside the key's values, `allowed`.
        case unknownValue(String, allowed: [String])
        /// A malformed cpulist.
        case cpulist(CPUListError)
        /// A number outside the key's range; the message says which.
        case outOfRange(String)
        /// Keys that exclude each other are both set; the message says which.
        case conflict(String)
        /// A required key is absent; the message says which.
        case missing(String)
        /// The plan cannot be made on the machine (`plan(on:)`).
        case placement(PlacementError)
    }

    /// The path of the file.
    public let file: String
    /// The dotted key at fault, such as `pools.execute.cpus`; nil for the file as a whole.
    public let key: String?
    /// What is wrong.
    public let problem: Problem

    /// An error in `file` at `key`.
    public init(file: String, key: String?, problem: Problem) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String {
        let quote: ([String]) -> String = { $0.map { "\"\($0)\"" }.joined(separator: ", ") }
        let what: String
        switch problem {
        case .unreadable(let reason): return "\(file): cannot read the config file: \(reason)"
        case .syntax(let line, let column, let message): return "\(file):\(line):\(column): TOML syntax error: \(message)"
        case .unknownKey(let allowed): what = "unknown key (known keys here: \(quote(allowed)))"
        case .wrongType(let expected, let found): what = "expected \(expected), found a TOML \(found)"
        case .unknownValue(let value, let allowed): what = "unknown value \"\(value)\" (expected one of \(quote(allowed)))"
        case .cpulist(let error): what = error.description
        case .outOfRange(let message): what = message
        case .conflict(let message): what = message
        case .missing(let message): what = "missing: \(message)"
        case .placement(let error): what = error.problemDescription
        }
        return "\(file): \(key ?? "(top level)"): \(what)"
    }
}

// MARK: - File access

private struct ReadError: Error {
    let reason: String
}

/// The whole file as UTF-8 text.
private func readFile(_ path: String) throws(ReadError) -> String {
    guard let handle = fopen(path, "rb") else { throw ReadError(reason: String(cString: strerror(errno))) }
    defer { fclose(handle) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
        if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
        if count < chunk.count {
            if ferror(handle) != 0 { throw ReadError(reason: String(cString: strerror(errno))) }
            break
        }
    }
    guard let text = String(validating: bytes, as: UTF8.self) else { throw ReadError(reason: "the file is not UTF-8 text") }
    return text
}
