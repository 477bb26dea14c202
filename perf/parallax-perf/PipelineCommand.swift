import ArgumentParser
import Foundation
import Logging
import Parallax
import ParallaxConcurrency
import ParallaxWorkloads
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `parallax-perf pipeline`: end-to-end throughput of `BlockPipeline` on
/// signed erc20 blocks, each stage's share of the time, the stage that bounds
/// it, and the pipeline's overhead over that stage run alone.
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "End-to-end pipeline throughput: encode → precheck → execute → commit.",
        discussion: """
            Envelopes are signed (Ed25519, one key per account) before any timing: signing is \
            the clients' work. The end-to-end time runs from the first block being packed \
            (encode: envelopes copied into one PackedMessages per block, on the submitting \
            thread) to the last block committed. Each stage is also timed alone over the same \
            blocks in the same process (encode; precheck; execute; commit, each on its own, \
            with the same thread counts); the slowest of those bounds the pipeline, and the \
            overhead is end-to-end time over that stage's time, minus one. Every measurement \
            is repeated --repeat times (fresh store each time); medians are reported. \
            Each sender's envelopes carry its nonces 0, 1, 2, ... in block order; with \
            --replay-share F, that share of every block's envelopes are exact copies of \
            envelopes submitted before them (earlier in the block or in an earlier block), \
            and the run fails unless the pipeline rejects every one of them.
            """
    )

    enum StoreKind: String, ExpressibleByArgument, CaseIterable { case memory, lmdb }

    @Option(help: "Workload (erc20).") var workload: String = "erc20"
    @Option(help: "Blocks per run.") var blocks: Int = 20
    @Option(help: "Transactions per block.") var txns: Int = 2_000
    @Option(help: "State store: memory or lmdb.") var store: StoreKind = .memory
    @Option(help: "lmdb: directory for the stores (a fresh subdirectory per run; default /tmp).") var path: String?
    @Flag(name: .customLong("no-sync"), help: "lmdb: MDB_NOSYNC (crash-safe, not power-loss safe).") var noSync = false
    @Option(name: .customLong("precheck-threads"), help: "Precheck workers per block.") var precheckThreads: Int = 1
    @Option(name: .customLong("execute-threads"), help: "Parallel executor workers.") var executeThreads: Int = 1
    @Option(help: "Blocks per inter-stage queue.") var queue: Int = 4
    @Option(help: "erc20 accounts (each with its own key).") var accounts: Int = 10_000
    @Option(help: "Zipf exponent of account draws.") var zipf: Double = 0
    @Option(help: "Repetitions of every measurement.") var `repeat`: Int = 3
    @Option(help: "Workload seed.") var seed: UInt64 = 1
    @Option(name: .customLong("replay-share"), help: "Share of each block's envelopes that replay earlier ones, in [0, 1).")
    var replayShare: Double = 0
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard workload == "erc20" else { throw ValidationError("--workload: only erc20 has a payload codec, got \(workload)") }
        guard blocks >= 1, txns >= 1 else { throw ValidationError("--blocks and --txns must be at least 1") }
        guard precheckThreads >= 1, executeThreads >= 1, queue >= 1, `repeat` >= 1 else {
            throw ValidationError("--precheck-threads, --execute-threads, --queue and --repeat must be at least 1")
        }
        guard accounts >= 2 else { throw ValidationError("--accounts must be at least 2, got \(accounts)") }
        if store == .lmdb, let path {
            // Created with its parents when missing; a file standing there is refused by name.
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw ValidationError("--path \(path) exists and is not a directory") }
            } else {
                do {
                    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                } catch {
                    throw ValidationError("--path: cannot create \(path): \(error.localizedDescription)")
                }
            }
        }
    }

    /// Replayed envelopes in every block.
    var replaysPerBlock: Int { Int((replayShare * Double(txns)).rounded()) }

    /// The signed blocks: every sender's fresh envelopes with its nonces in
    /// order, and `replaysPerBlock` copies per block of envelopes submitted
    /// before them, at random slots (never a block's first, so that the
    /// first block has something to copy) and of random earlier envelopes.
    func signedBlocks(_ workload: ERC20Workload, _ signer: ERC20Signer) -> [[[UInt8]]] {
        var generator = SplitMix64(seed: seed ^ 0x5245_504C_4159)
        var nonces = [UInt64](repeating: 0, count: accounts)
        var submitted: [[UInt8]] = []
        submitted.reserveCapacity(blocks * txns)
        return (1...blocks).map { number in
            let fresh = workload.block(number, transactions: txns - replaysPerBlock).map { transaction in
                let transaction = transaction as! TokenTransaction
                defer { nonces[Int(transaction.sender.raw)] += 1 }
                return signer.envelope(transaction, nonce: nonces[Int(transaction.sender.raw)])
            }
            var slots = Array(1..<txns)
            var isReplay = [Bool](repeating: false, count: txns)
            for index in 0..<replaysPerBlock {
                slots.swapAt(index, index + Int(generator.next() % UInt64(slots.count - index)))
                isReplay[slots[index]] = true
            }
            var block: [[UInt8]] = []
            block.reserveCapacity(txns)
            var next = fresh.makeIterator()
            for slot in 0..<txns {
                if isReplay[slot] {
                    block.append(submitted[Int(generator.next() % UInt64(submitted.count))])
                } else {
                    let envelope = next.next()!
                    block.append(envelope)
                    submitted.append(envelope)
                }
            }
            return block
        }
    }

    func run() throws {
        var shape = WorkloadShape()
        shape.accounts = accounts
        shape.zipf = zipf
        shape.seed = seed
        let workload = try ERC20Workload(shape)
        let signer = ERC20Signer(accounts: accounts)
        let decoder = signer.decoder
        let genesis = workload.initialState()
        let envelopes = signedBlocks(workload, signer)
        let total = blocks * txns
        let replayed = blocks * replaysPerBlock
        // Lifecycle events are not measurements: only warnings reach stderr.
        var logger = Logger(label: "parallax.pipeline")
        logger.logLevel = .warning
        let configuration = PipelineConfiguration(precheckThreads: precheckThreads, executeThreads: executeThreads, queueCapacity: queue)
        var runNumber = 0
        func freshStore() throws -> any StateStore {
            switch store {
            case .memory: return InMemoryStateStore(genesis: genesis)
            case .lmdb:
                runNumber += 1
                let directory = "\(path ?? "/tmp")/parallax-pipeline-\(getpid())-\(runNumber)"
                guard mkdir(directory, 0o755) == 0 else {
                    throw ValidationError("cannot create \(directory): \(String(cString: strerror(errno)))")
                }
                return try LMDBStateStore(path: directory, genesis: genesis, mapSize: 1 << 34, durable: !noSync)
            }
        }
        func pack(_ block: [[UInt8]]) -> PackedMessages {
            var packed = PackedMessages(reservingMessages: block.count, bytes: block.reduce(0) { $0 + $1.count })
            for envelope in block { packed.append(envelope) }
            return packed
        }
        var cpuOfLast = 0.0
        /// Wall seconds of `body`; its process CPU seconds go to `cpuOfLast`.
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let startCPU = processCPUSeconds()
            let start = MonotonicClock.nanoseconds()
            try body()
            let wall = Double(MonotonicClock.nanoseconds() - start) * 1e-9
            cpuOfLast = processCPUSeconds() - startCPU
            return wall
        }

        var endToEnd: [Double] = [], encodeAlone: [Double] = [], precheckAlone: [Double] = []
        var executeAlone: [Double] = [], commitAlone: [Double] = []
        var aloneCPU: [Double] = [], endToEndCPU: [Double] = []
        var busy: [(Double, Double, Double)] = [], cpu: [(Double, Double, Double)] = []
        var included = 0, rejected = 0, reverted = 0
        var rejectedByReason: [String: Int] = [:]
        var roots: Set<String> = []
        for _ in 0..<`repeat` {
            // Stages alone, each over every block.
            var packed: [PackedMessages] = []
            encodeAlone.append(seconds { packed = envelopes.map(pack) })
            var cpuSum = cpuOfLast
            let precheck = try SignedEnvelopePrecheck(decoder: decoder, threads: precheckThreads)
            var verified: [[AdmittedTransaction]] = []
            precheckAlone.append(seconds {
                verified = packed.map { block in
                    precheck.precheck(block).compactMap { if case .verified(let admitted) = $0 { admitted } else { nil } }
                }
            })
            cpuSum += cpuOfLast
            let aloneStore = try freshStore()
            let executor = try ParallelExecutor(threads: executeThreads)
            var executeSeconds = 0.0, commitSeconds = 0.0
            for (index, admitted) in verified.enumerated() {
                var output: BlockOutput?
                // As the execute stage does: each call under its signed fields.
                executeSeconds += seconds { output = executor.execute(admitted.map { $0.transaction as any Transaction }, on: aloneStore) }
                cpuSum += cpuOfLast
                try commitSeconds += seconds {
                    try aloneStore.commit(output!.stateDelta, height: BlockHeight(UInt64(index + 1)), expectedRoot: output!.stateRoot)
                }
                cpuSum += cpuOfLast
            }
            executeAlone.append(executeSeconds)
            aloneCPU.append(cpuSum)
            commitAlone.append(commitSeconds)

            // End to end.
            let pipelineStore = try freshStore()
            let counts = Mutex<(Int, Int, Int)>((0, 0, 0))
            let reasons = Mutex<[String: Int]>([:])
            let pipeline = try BlockPipeline(store: pipelineStore, decoder: decoder, configuration: configuration,
                                             logger: logger) { block in
                let reverts = block.included.filter { $0.output.status != .success }.count
                counts.withLock { $0.0 += block.included.count; $0.1 += block.rejected.count; $0.2 += reverts }
                reasons.withLock { for rejection in block.rejected { $0[rejection.reason.code, default: 0] += 1 } }
            }
            endToEnd.append(try seconds {
                for block in envelopes { try pipeline.submit(pack(block)) }
                try pipeline.finish()
            })
            endToEndCPU.append(cpuOfLast)
            let statistics = pipeline.statistics
            busy.append((Double(statistics.precheckNanoseconds) * 1e-9, Double(statistics.executeNanoseconds) * 1e-9,
                         Double(statistics.commitNanoseconds) * 1e-9))
            cpu.append((Double(statistics.precheckCPUNanoseconds) * 1e-9, Double(statistics.executeCPUNanoseconds) * 1e-9,
                        Double(statistics.commitCPUNanoseconds) * 1e-9))
            (included, rejected, reverted) = counts.withLock { $0 }
            rejectedByReason = reasons.withLock { $0 }
            // Every replay is refused as a spent nonce, and nothing else is.
            guard rejectedByReason == (replayed == 0 ? [:] : [NonceRejection.tooLowCode: replayed]) else {
                throw ValidationError("\(replayed) replays submitted, rejections by reason \(rejectedByReason)")
            }
            roots.insert("\(pipelineStore.stateRoot)")
            roots.insert("\(aloneStore.stateRoot)")
        }

        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let e2e = median(endToEnd)
        let alone = [("encode", median(encodeAlone)), ("precheck", median(precheckAlone)),
                     ("execute", median(executeAlone)), ("commit", median(commitAlone))]
        let aloneSum = alone.reduce(0) { $0 + $1.1 }
        let slowest = alone.max { $0.1 < $1.1 }!
        let busyMedian = [("precheck", median(busy.map(\.0))), ("execute", median(busy.map(\.1))), ("commit", median(busy.map(\.2)))]
        let cpuMedian = [median(cpu.map(\.0)), median(cpu.map(\.1)), median(cpu.map(\.2))]
        let busySum = busyMedian.reduce(0) { $0 + $1.1 }
        let tps = Double(total) / e2e
        let overhead = e2e / slowest.1 - 1
        let cpuAlone = median(aloneCPU), cpuPipeline = median(endToEndCPU)
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        if json {
            let aloneFields = alone.map { #""\#($0.0)":{"seconds":\#(rounded($0.1, 1e6)),"tps":\#(Int(Double(total) / $0.1)),"share":\#(rounded($0.1 / aloneSum, 1e4))}"# }
            let reasonFields = rejectedByReason.sorted { $0.key < $1.key }.map { #""\#($0.key)":\#($0.value)"# }
            let busyFields = zip(busyMedian, cpuMedian).map { #""\#($0.0.0)":{"busy_seconds":\#(rounded($0.0.1, 1e6)),"thread_cpu_seconds":\#(rounded($0.1, 1e6)),"share":\#(rounded($0.0.1 / busySum, 1e4))}"# }
            print(#"{"workload":"erc20","signature":"ed25519","store":"\#(store.rawValue)","durable":\#(store == .lmdb && !noSync),"blocks":\#(blocks),"txns":\#(txns),"total_txns":\#(total),"accounts":\#(accounts),"precheck_threads":\#(precheckThreads),"execute_threads":\#(executeThreads),"queue":\#(queue),"repeat":\#(`repeat`),"seconds":\#(rounded(e2e, 1e6)),"tps":\#(Int(tps)),"replay_share":\#(replayShare),"replayed":\#(replayed),"included":\#(included),"rejected":\#(rejected),"rejected_by_reason":{\#(reasonFields.joined(separator: ","))},"reverted":\#(reverted),"stages_alone":{\#(aloneFields.joined(separator: ","))},"stages_in_pipeline":{\#(busyFields.joined(separator: ","))},"bounding_stage":"\#(slowest.0)","bounding_stage_seconds":\#(rounded(slowest.1, 1e6)),"overhead":\#(rounded(overhead, 1e4)),"cpu_seconds_alone_sum":\#(rounded(cpuAlone, 1e4)),"cpu_seconds_pipeline":\#(rounded(cpuPipeline, 1e4)),"cpu_overhead":\#(rounded(cpuPipeline / cpuAlone - 1, 1e4)),"state_roots_agree":\#(roots.count == 1),"loadavg":[\#(load.map { "\(rounded($0, 100))" }.joined(separator: ","))]}"#)
        } else {
            print("pipeline erc20/ed25519 store \(store.rawValue)  \(blocks) blocks x \(txns) txns  precheck \(precheckThreads) execute \(executeThreads) threads")
            print("end to end   \(formatRate(tps)) tx/s  \(rounded(e2e, 1e4)) s  (included \(included), reverted \(reverted), rejected \(rejected))")
            if replayed > 0 { print("replayed \(replayed) envelopes; rejected by reason \(rejectedByReason.sorted { $0.key < $1.key })") }
            for (name, value) in alone {
                print("\(name.padding(toLength: 9)) alone \(formatRate(Double(total) / value)) tx/s  \(rounded(value, 1e4)) s  share \(rounded(100 * value / aloneSum, 10))%")
            }
            for ((name, value), cpuSeconds) in zip(busyMedian, cpuMedian) {
                print("\(name.padding(toLength: 9)) busy in pipeline \(rounded(value, 1e4)) s (stage thread cpu \(rounded(cpuSeconds, 1e4)) s)  share \(rounded(100 * value / busySum, 10))%")
            }
            print("process cpu: pipeline \(rounded(cpuPipeline, 1e4)) s, stages alone together \(rounded(cpuAlone, 1e4)) s (\(rounded(100 * (cpuPipeline / cpuAlone - 1), 10))% more)")
            print("bound by \(slowest.0); overhead over it alone \(rounded(100 * overhead, 10))%  state roots agree: \(roots.count == 1)  load \(load.map { rounded($0, 100) })")
        }
    }
}

/// User plus system CPU seconds of this process so far (all threads).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}
