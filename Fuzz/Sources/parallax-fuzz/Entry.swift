// libFuzzer's entry points for the five Parallax fuzz targets, built as one
// binary (`parallax-fuzz`) so that the sanitized build links once; the target
// is chosen by PARALLAX_FUZZ_TARGET, read once in LLVMFuzzerInitialize.
// scripts/fuzz.sh builds and runs it; docs/fuzzing.md lists what each checks.
//
// A target reports a broken property with `require`, which traps: libFuzzer
// then saves the input as a crash artifact, exactly as for a crash in the
// code under test.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One fuzz target: a name (the corpus folder under Fuzz/corpus), the body
/// run on each input, and what to build before the first input (machines,
/// executors, keys), so that no input's time limit pays for it.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable (UnsafeRawBufferPointer) -> Void
    var prepare: @Sendable () -> Void = {}
}

let allTargets: [FuzzTarget] = [
    FuzzTarget(name: "envelope", run: EnvelopeTarget.run, prepare: { _ = (EnvelopeTarget.stage, EnvelopeTarget.validNeighbour) }),
    FuzzTarget(name: "config", run: ConfigTarget.run, prepare: { _ = ConfigTarget.machines }),
    FuzzTarget(name: "rlp", run: RLPTarget.run),
    FuzzTarget(name: "ethereum-transaction", run: EthereumTransactionTarget.run),
    FuzzTarget(name: "evm", run: EVMTarget.run, prepare: { _ = EVMTarget.parallel }),
]

/// The target of this process, fixed before the first input.
nonisolated(unsafe) var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let names = allTargets.map(\.name).joined(separator: ", ")
    guard let raw = getenv("PARALLAX_FUZZ_TARGET") else {
        usage("parallax-fuzz: set PARALLAX_FUZZ_TARGET to one of: \(names)")
    }
    let name = String(cString: raw)
    guard let target = allTargets.first(where: { $0.name == name }) else {
        usage("parallax-fuzz: unknown PARALLAX_FUZZ_TARGET \"\(name)\" (known: \(names))")
    }
    target.prepare()
    selected = target
    return 0
}

/// Writes `message` to standard error and exits with status 2.
private func usage(_ message: String) -> Never {
    let line = message + "\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(2)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // libFuzzer may pass a null pointer with size 0.
    selected!.run(UnsafeRawBufferPointer(start: size == 0 ? nil : data, count: size))
    return 0
}

/// Traps with `message` when a property of a target does not hold.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
             file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("property violated: \(message())", file: file, line: line) }
}
