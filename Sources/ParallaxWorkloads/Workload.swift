import ParallaxExecution

/// A block generator the harness and tests can drive: a starting state and
/// a deterministic sequence of blocks (block `number` depends only on the
/// workload's parameters, its seed and `number`).
public protocol Workload: Sendable {
    /// Short name, as `--workload` spells it.
    var name: String { get }
    func initialState() -> InMemoryState
    func block(_ number: Int, transactions: Int) -> [any Transaction]
}

/// A workload parameter out of range.
public struct WorkloadError: Error, Equatable, CustomStringConvertible {
    public var parameter: String
    public var reason: String

    public init(parameter: String, reason: String) {
        self.parameter = parameter
        self.reason = reason
    }

    public var description: String { "\(parameter): \(reason)" }
}
