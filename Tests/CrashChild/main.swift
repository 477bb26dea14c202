// The child process of the LMDB crash-safety test
// (Tests/ParallaxStateTests/CrashSafetyTests.swift): executes erc20 blocks
// against an LMDB store and commits them, one after another, starting after
// the store's current height, printing each committed height on its own line
// as soon as `commit` returns. The test SIGKILLs it at random moments.
//
// Usage: parallax-crash-child PATH ACCOUNTS TXNS-PER-BLOCK LAST-HEIGHT
import ParallaxExecution
import ParallaxState
import ParallaxWorkloads
#if canImport(Glibc)
import Glibc
#endif

/// Writes `line` and a newline to `descriptor` with one unbuffered write(2),
/// so a reported height is in the pipe before the next commit starts.
func emit(_ line: String, to descriptor: Int32) {
    var bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    emit("parallax-crash-child: \(message)", to: 2)
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count == 5, let accounts = Int(arguments[2]), let txns = Int(arguments[3]), let last = UInt64(arguments[4]) else {
    fail("usage: parallax-crash-child PATH ACCOUNTS TXNS-PER-BLOCK LAST-HEIGHT")
}
// The test replays the same workload: erc20 over ACCOUNTS accounts, seed 7.
var shape = WorkloadShape()
shape.accounts = accounts
shape.seed = 7
do {
    let workload = try ERC20Workload(shape)
    let store = try LMDBStateStore(path: arguments[1], genesis: workload.initialState())
    let executor = SequentialExecutor()
    var height = store.height
    while height.rawValue < last {
        let next = height.next
        let output = executor.execute(workload.block(Int(next.rawValue), transactions: txns), on: store)
        try store.commit(output.stateDelta, height: next, expectedRoot: output.stateRoot)
        emit("\(next.rawValue)", to: 1)
        height = next
    }
} catch {
    fail("\(error)")
}
