// Runs state-test files through a `VectorExecutor` and judges every vector of
// the chosen fork.
//
// A vector passes when:
// - no exception is expected, the transaction is included, and the post-state
//   root and the logs hash are the expected ones; or
// - an exception is expected, the transaction is rejected (or cannot be
//   decoded), and the unchanged state's root is the expected one, the
//   unchanged state being the pre-state with the coinbase touched by a zero
//   reward, as the fillers' runner leaves it (geth's `StateTest.Run` adds 0
//   to the coinbase after any transaction): before Spurious Dragon that
//   creates an absent coinbase as an empty account, from Spurious Dragon on
//   it deletes an empty one (EIP-161).
// A vector whose EVM lacks a precompile is skipped, never passed. Each file is
// parsed once and its vectors share the parsed pre-state (copy-on-write: a
// vector copies only what its transaction changes). A file that cannot be read
// or parsed is reported on standard error naming the file, the run goes on,
// and the exit status is 2.

import Foundation
import ParallaxEthereum
import ParallaxEVM

/// The verdict on one vector, with what the report prints.
struct VectorReport {
    enum Verdict { case pass, fail, skip }

    var file: String
    var test: String
    var fork: String
    var entry: PostEntry
    var verdict: Verdict
    var actualRoot: Bytes32?
    var actualLogs: Bytes32?
    var error: String?
    /// The state after the transaction, kept for failing vectors when asked (`--dump-post`).
    var post: WorldState?
}

final class StateTestRunner {
    let fork: Fork
    let executor: any VectorExecutor
    let filter: String?
    let dumpPost: Bool
    let output: ReportWriter

    private(set) var passed = 0
    private(set) var failed = 0
    private(set) var skipped = 0
    private(set) var unreadableFiles = 0
    /// Skip reasons with their counts, for the text summary.
    private(set) var skipReasons: [String: Int] = [:]

    init(fork: Fork, executor: any VectorExecutor, filter: String?, dumpPost: Bool, output: ReportWriter) {
        self.fork = fork
        self.executor = executor
        self.filter = filter
        self.dumpPost = dumpPost
        self.output = output
    }

    /// The exit status: 2 if a file was unreadable, else 1 if a vector failed, else 0.
    var exitStatus: Int32 { unreadableFiles > 0 ? 2 : failed > 0 ? 1 : 0 }

    /// Every `.json` file under the paths (a file given by name is taken even
    /// without the extension), each folder's files in sorted order.
    static func files(under paths: [String]) -> (files: [String], missing: [String]) {
        var files = [String]()
        var missing = [String]()
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                missing.append(path)
                continue
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            let found = (fm.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".json") }
                .sorted()
            let base = path.hasSuffix("/") ? path : path + "/"
            files.append(contentsOf: found.map { base + $0 })
        }
        return (files, missing)
    }

    func reportUnreadable(_ path: String, _ problem: String) {
        unreadableFiles += 1
        output.error("\(path): \(problem)")
    }

    func run(file path: String) {
        let tests: [StateTest]
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            tests = try StateTestFixture.parse(data)
        } catch {
            reportUnreadable(path, String(describing: error))
            return
        }
        for test in tests {
            run(test, file: path)
        }
    }

    private func run(_ test: StateTest, file: String) {
        if let filter, !file.contains(filter), !test.name.contains(filter) { return }
        let entries = test.post.filter { Fork(stateTestName: $0.key) == fork }.sorted { $0.key < $1.key }
        guard !entries.isEmpty else { return }
        let block = test.env.blockEnvironment(fork: fork)
        let blockHashes = test.env.blockHashes
        let sender = signer(of: test.transaction)
        var preRoot: Bytes32?

        for (forkName, posts) in entries {
            for entry in posts {
                var report = VectorReport(file: file, test: test.name, fork: forkName, entry: entry, verdict: .fail)
                let outcome: VectorOutcome
                if let sender {
                    do {
                        let tx = try test.transaction.transaction(for: entry, sender: sender)
                        outcome = executor.execute(
                            pre: test.pre, transaction: tx, block: block, blockHashes: blockHashes, fork: fork
                        )
                    } catch {
                        outcome = .rejected(reason: error.description)
                    }
                } else {
                    outcome = .failed(error: "the transaction has neither a usable secretKey nor a sender")
                }
                switch outcome {
                case let .included(post, logs):
                    report.actualRoot = post.stateRoot
                    report.actualLogs = logsHash(logs)
                    if let expected = entry.expectException {
                        report.error = "expected exception \(expected), but the transaction was included"
                    } else {
                        judgeState(&report)
                    }
                    if dumpPost && report.verdict == .fail { report.post = post }
                case let .rejected(reason):
                    if preRoot == nil { preRoot = test.pre.touchingCoinbase(block.coinbase, fork: fork).stateRoot }
                    report.actualRoot = preRoot
                    report.actualLogs = logsHash([])
                    if entry.expectException != nil {
                        judgeState(&report)
                    } else {
                        report.error = "transaction rejected: \(reason)"
                    }
                case let .skipped(reason):
                    report.verdict = .skip
                    report.error = reason
                case let .failed(error):
                    report.error = error
                }
                record(report)
            }
        }
    }

    /// Pass iff both hashes are the expected ones.
    private func judgeState(_ report: inout VectorReport) {
        let rootOK = report.actualRoot == report.entry.hash
        let logsOK = report.actualLogs == report.entry.logs
        if rootOK && logsOK {
            report.verdict = .pass
        } else {
            report.error = rootOK ? "logs hash differs" : logsOK ? "post-state root differs" : "post-state root and logs hash differ"
        }
    }

    private func record(_ report: VectorReport) {
        switch report.verdict {
        case .pass: passed += 1
        case .fail: failed += 1
        case .skip:
            skipped += 1
            skipReasons[report.error ?? "", default: 0] += 1
        }
        output.vector(report)
    }

    /// The signer: the address of `secretKey` (what signed `txbytes`); the
    /// fixture's informational `sender` only when there is no usable key.
    private func signer(of tx: TransactionTemplate) -> Address? {
        tx.secretKey.flatMap { Address(privateKey: $0) } ?? tx.sender
    }
}

extension WorldState {
    /// The state after a zero-value credit to `coinbase` under `fork`'s rules
    /// for touched accounts (see the file header).
    func touchingCoinbase(_ coinbase: Address, fork: Fork) -> WorldState {
        var world = self
        if fork < .spuriousDragon {
            if world.accounts[coinbase] == nil { world.accounts[coinbase] = .empty }
        } else if let account = world.accounts[coinbase], account.nonce == 0, account.balance.isZero,
                  account.codeHash == EmptyHashes.code {
            world.accounts[coinbase] = nil
        }
        return world
    }
}
