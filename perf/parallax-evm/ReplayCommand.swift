// `parallax-evm replay`: mainnet blocks (pevm's fixture folders) through the
// block executor on the sequential and the parallel executor, checked
// against their headers (receipts root from Byzantium, logs bloom, gas used)
// and against each other (receipts and state delta), timed side by side.

import ArgumentParser
import Foundation
import ParallaxEthereum
import ParallaxEthereumBlocks
import ParallaxEVM
import ParallaxExecution

/// Which executors `replay` runs.
enum ReplayExecutors: String, ExpressibleByArgument, CaseIterable {
    case sequential, parallel, both
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay mainnet blocks (folders of block.json, pre_state.json, block_hashes.json) and check them against their headers.",
        discussion: """
            A folder without block.json is searched for block folders (sorted by number). Each block runs on the \
            sequential executor and/or the parallel one (Block-STM) at each thread count of --threads; times are \
            the fastest of --repeat rounds, each running every executor once in turn, of the executor alone (the pre-state is loaded and the senders recovered \
            before timing). Exit status: 0 when every block matches its header (the receipts root from Byzantium, \
            the logs bloom, the gas used) and both executors agree, 1 when one does not, 2 when an input cannot be read.
            """
    )

    @Option(help: "sequential, parallel or both.") var executor = ReplayExecutors.both
    @Option(help: "Worker threads of the parallel executor; a comma-separated list runs each.") var threads = "2"
    @Option(help: "Runs per block and executor; the fastest is reported.") var `repeat` = 1
    @Flag(help: "One JSON object per block (and thread count), then a summary object per thread count.") var json = false
    @Flag(help: "Also print, per block, the keys written by the most transactions (what chains them under Block-STM).")
    var conflicts = false
    @Argument(help: "Block folders, or folders of block folders.") var paths: [String]

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard (try? threadCounts()) != nil else { throw ValidationError("--threads: positive integers separated by commas") }
    }

    func threadCounts() throws -> [Int] {
        let counts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.count == threads.split(separator: ",").count, counts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads")
        }
        return counts
    }

    func run() throws {
        let counts = executor == .sequential ? [] : try threadCounts()
        let runSequential = executor != .parallel
        let parallel = try counts.map { try ParallelExecutor(threads: $0) }
        let sequential = SequentialExecutor()
        let engine = EthereumBlockExecutor(chain: .mainnet)
        // Block-STM on every block, whatever the policy says: the correctness check of the parallel executor.
        let forced = EthereumBlockExecutor(chain: .mainnet, policy: .alwaysParallel)
        var report = ReplayReport(json: json, threadCounts: counts, sequential: runSequential)
        var unreadable = false

        for folder in ReplayCommand.blockFolders(paths) {
            let fixture: ReplayFixture
            do { fixture = try ReplayFixture(folder: folder) } catch {
                FileHandle.standardError.write(Data("replay: \(folder): \(error)\n".utf8))
                unreadable = true
                continue
            }
            let prepared: PreparedBlock
            do { prepared = try forced.prepare(fixture.block, preState: fixture.preState) } catch {
                report.failure(block: fixture.name, error: "\(error)")
                continue
            }
            if conflicts { ReplayCommand.printConflicts(block: fixture.name, prepared) }
            // Every variant once per round, `repeat` rounds, so that they meet the same machine
            // (other load comes and goes); each keeps its fastest round.
            let reason = engine.policy.sequentialReason(transactions: prepared.block.transactions.count, senders: prepared.senders)
            var variants: [Variant] = []
            if runSequential { variants.append(Variant(engine: engine, executor: sequential)) }
            for executor in parallel {
                variants.append(Variant(engine: forced, executor: executor))
                if reason != nil { variants.append(Variant(engine: engine, executor: executor)) }
            }
            for _ in 0..<`repeat` {
                for index in variants.indices where variants[index].error == nil { variants[index].run(prepared) }
            }
            var next = 0
            var reference: (result: BlockResult, ms: Double)? = nil
            var firstError: String? = nil
            if runSequential {
                let variant = variants[next]
                next += 1
                if let result = variant.result { reference = (result, variant.best) } else { firstError = "sequential: \(variant.error ?? "no result")" }
            }
            if counts.isEmpty, let reference {
                report.line(block: fixture.name, prepared: prepared, sequential: reference, parallel: nil, error: firstError)
            } else if counts.isEmpty {
                report.failure(block: fixture.name, error: firstError ?? "no result")
            }
            for threads in counts {
                var error = firstError
                let stm = variants[next]
                next += 1
                var policy = stm
                if reason != nil {
                    policy = variants[next]
                    next += 1
                }
                var measured: ParallelMeasurement? = nil
                if let result = stm.result, let policyResult = policy.result {
                    measured = ParallelMeasurement(result: result, blockSTMms: stm.best, ms: policy.best, threads: threads, sequentialReason: reason)
                    if policyResult.receipts != result.receipts || policyResult.stateDelta != result.stateDelta {
                        error = (error.map { $0 + "; " } ?? "") + "the policy's sequential run differs from Block-STM's"
                    }
                    if let reference, reference.result.receipts != result.receipts || reference.result.stateDelta != result.stateDelta {
                        error = (error.map { $0 + "; " } ?? "") + "the parallel executor's receipts or state differ from the sequential one's"
                    }
                } else {
                    error = (error.map { $0 + "; " } ?? "") + "parallel: \(stm.error ?? policy.error ?? "no result")"
                }
                report.line(block: fixture.name, prepared: prepared, sequential: reference, parallel: measured, error: error)
            }
        }
        report.summary()
        if unreadable { throw ExitCode(2) }
        if report.failed > 0 { throw ExitCode(1) }
    }

    /// The keys written by the most transactions of a block (sequential run):
    /// their kind, address (where the key has one) and writer count.
    static func printConflicts(block: String, _ prepared: PreparedBlock) {
        let output = SequentialExecutor().execute(prepared.transactions, on: prepared.base)
        var writers: [StateKey: Int] = [:]
        for transaction in output.transactions {
            for write in transaction.writeSet { writers[write.key, default: 0] += 1 }
        }
        let top = writers.sorted { $0.value > $1.value }.prefix(4).map { key, count -> String in
            let kind = EthereumStateLayout.kind(of: key)
            let name = kind.map { "\($0)" } ?? "?"
            switch kind {
            case .account?, .balance?, .storageCount?: return "\(name) \(EthereumStateLayout.address(ofAddressKey: key)) x\(count)"
            default: return "\(name) \(key) x\(count)"
            }
        }
        FileHandle.standardError.write(Data("\(block) hot keys (\(prepared.transactions.count) transactions): \(top.joined(separator: ", "))\n".utf8))
    }

    /// The block folders under `paths`: a folder with block.json is one;
    /// another folder's subfolders that have one, by number then name.
    static func blockFolders(_ paths: [String]) -> [String] {
        var folders: [String] = []
        let manager = FileManager.default
        for path in paths {
            if manager.fileExists(atPath: path + "/block.json") {
                folders.append(path)
                continue
            }
            let children = ((try? manager.contentsOfDirectory(atPath: path)) ?? [])
                .filter { manager.fileExists(atPath: path + "/" + $0 + "/block.json") }
                .sorted { (UInt64($0) ?? .max, $0) < (UInt64($1) ?? .max, $1) }
            if children.isEmpty { folders.append(path) }   // reported unreadable when loaded
            folders.append(contentsOf: children.map { path + "/" + $0 })
        }
        return folders
    }
}

/// One way of running a block (an engine's policy on an executor), timed
/// over rounds: its fastest round and its last result or error.
struct Variant {
    let engine: EthereumBlockExecutor
    let executor: any BlockExecutor
    var best = Double.infinity
    var result: BlockResult? = nil
    var error: String? = nil

    init(engine: EthereumBlockExecutor, executor: any BlockExecutor) {
        self.engine = engine
        self.executor = executor
    }

    mutating func run(_ prepared: PreparedBlock) {
        let start = ContinuousClock.now
        do {
            result = try engine.execute(prepared, on: executor)
            best = min(best, BenchERC20Command.seconds(ContinuousClock.now - start) * 1000)
        } catch {
            self.error = "\(error)"
        }
    }
}

/// One block on the parallel executor: Block-STM forced, and as the
/// block executor's policy runs it (sequentially when it cannot gain).
struct ParallelMeasurement {
    var result: BlockResult
    /// Block-STM on the block, whatever the policy says.
    var blockSTMms: Double
    /// As the policy runs it (`blockSTMms` unless it falls back).
    var ms: Double
    var threads: Int
    var sequentialReason: String?
}

/// The per-block lines and the summaries of `replay`.
struct ReplayReport {
    let json: Bool
    let threadCounts: [Int]
    let sequential: Bool
    private(set) var failed = 0
    private var speedups: [Int: [(block: String, speedup: Double, blockSTM: Double)]] = [:]
    private var headerPrinted = false

    init(json: Bool, threadCounts: [Int], sequential: Bool) {
        self.json = json
        self.threadCounts = threadCounts
        self.sequential = sequential
    }

    mutating func failure(block: String, error: String) {
        failed += 1
        if json {
            print(#"{"block":\#(blockJSON(block)),"error":\#(quote(error))}"#)
        } else {
            print("\(block): ERROR \(error)")
        }
    }

    mutating func line(
        block: String, prepared: PreparedBlock, sequential: (result: BlockResult, ms: Double)?,
        parallel: ParallelMeasurement?, error: String?
    ) {
        let results = [sequential?.result, parallel?.result].compactMap { $0 }
        guard let first = results.first else {
            failure(block: block, error: error ?? "no result")
            return
        }
        let receiptsMatch: Bool? = first.receiptsRootMatches.map { _ in results.allSatisfy { $0.receiptsRootMatches == true } }
        let bloomMatch = results.allSatisfy(\.logsBloomMatches)
        let gasMatch = results.allSatisfy(\.gasUsedMatches)
        let ok = error == nil && receiptsMatch != false && bloomMatch && gasMatch
        if !ok { failed += 1 }
        var speedup: Double? = nil
        if let sequential, let parallel {
            speedup = sequential.ms / parallel.ms
            speedups[parallel.threads, default: []].append((block, speedup!, sequential.ms / parallel.blockSTMms))
        }
        let txns = prepared.block.transactions.count
        let gas = first.gasUsed
        let fork = first.fork.description
        if json {
            var text = #"{"block":\#(blockJSON(block)),"fork":"\#(fork)","txns":\#(txns),"gas":\#(gas),"#
            text += #""receipts_root_match":\#(receiptsMatch.map(String.init) ?? "null"),"#
            text += #""logs_bloom_match":\#(bloomMatch),"gas_used_match":\#(gasMatch),"#
            text += #""sequential_ms":\#(sequential.map { ms($0.ms) } ?? "null"),"#
            text += #""parallel_ms":\#(parallel.map { ms($0.ms) } ?? "null"),"#
            text += #""speedup":\#(speedup.map(ratio) ?? "null"),"#
            text += #""reexecutions":\#(parallel.map { String($0.result.reexecutions) } ?? "null")"#
            if let parallel {
                text += #","threads":\#(parallel.threads),"blockstm_ms":\#(ms(parallel.blockSTMms)),"#
                text += #""blockstm_speedup":\#(sequential.map { ratio($0.ms / parallel.blockSTMms) } ?? "null"),"#
                text += #""sequential_fallback":\#(parallel.sequentialReason.map(quote) ?? "null")"#
            }
            if let error { text += #","error":\#(quote(error))"# }
            print(text + "}")
        } else {
            if !headerPrinted {
                headerPrinted = true
                print("block      fork              txns       gas  receipts bloom  gas   seq ms   par ms  thr  speedup  reexec  stm ms  stm x")
            }
            func flag(_ value: Bool?) -> String { value.map { $0 ? "ok" : "DIFF" } ?? "n/a" }
            var text = pad(block, 10) + " " + pad(fork, 16) + " " + lpad("\(txns)", 5) + " " + lpad("\(gas)", 9)
            text += "  " + pad(flag(receiptsMatch), 8) + " " + pad(flag(bloomMatch), 5) + " " + pad(flag(gasMatch), 4)
            text += " " + lpad(sequential.map { ms($0.ms) } ?? "-", 8) + " " + lpad(parallel.map { ms($0.ms) } ?? "-", 8)
            text += " " + lpad(parallel.map { "\($0.threads)" } ?? "-", 4) + " " + lpad(speedup.map(ratio) ?? "-", 8)
            text += " " + lpad(parallel.map { "\($0.result.reexecutions)" } ?? "-", 7)
            text += " " + lpad(parallel.map { ms($0.blockSTMms) } ?? "-", 7)
            text += " " + lpad(parallel.flatMap { p in sequential.map { ratio($0.ms / p.blockSTMms) } } ?? "-", 6)
            if parallel?.sequentialReason != nil { text += "  (sequential: \(parallel!.sequentialReason!))" }
            if let error { text += "  ERROR " + error }
            print(text)
        }
    }

    func summary() {
        for threads in threadCounts {
            let entries = speedups[threads] ?? []
            guard !entries.isEmpty else { continue }
            let geomean = exp(entries.map { log($0.speedup) }.reduce(0, +) / Double(entries.count))
            let worst = entries.min { $0.speedup < $1.speedup }!
            let stmGeomean = exp(entries.map { log($0.blockSTM) }.reduce(0, +) / Double(entries.count))
            let stmWorst = entries.min { $0.blockSTM < $1.blockSTM }!
            if json {
                print(#"{"summary":true,"threads":\#(threads),"blocks":\#(entries.count),"failed":\#(failed),"#
                    + #""geomean_speedup":\#(ratio(geomean)),"worst_speedup":\#(ratio(worst.speedup)),"worst_block":\#(blockJSON(worst.block)),"#
                    + #""blockstm_geomean_speedup":\#(ratio(stmGeomean)),"blockstm_worst_speedup":\#(ratio(stmWorst.blockSTM)),"#
                    + #""blockstm_worst_block":\#(blockJSON(stmWorst.block))}"#)
            } else {
                print("\(threads) threads: \(entries.count) blocks, geometric-mean speedup \(ratio(geomean))x, "
                    + "worst \(ratio(worst.speedup))x (block \(worst.block)); Block-STM on every block: \(ratio(stmGeomean))x, "
                    + "worst \(ratio(stmWorst.blockSTM))x (block \(stmWorst.block)); \(failed) failed")
            }
        }
        if speedups.isEmpty {
            if json { print(#"{"summary":true,"failed":\#(failed)}"#) } else { print("\(failed) failed") }
        }
    }

    /// A block folder's name in JSON: its number, or a string when it is not one.
    private func blockJSON(_ name: String) -> String { UInt64(name) != nil ? name : quote(name) }

    private func ms(_ value: Double) -> String { String(format: "%.3f", value) }
    private func ratio(_ value: Double) -> String { String(format: "%.3f", value) }
    private func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
    private func lpad(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
    private func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
