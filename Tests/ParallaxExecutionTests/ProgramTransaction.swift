import ParallaxExecution
import ParallaxWorkloads

/// A randomly generated contract: a straight-line program over a small key
/// universe whose writes, events and reverts depend on every value it read,
/// so any read of a wrong version changes its output.
struct ProgramTransaction: PayerFeeTransaction {
    enum Op: Sendable {
        case read(Int)
        case write(Int)
        case delete(Int)
        case emit
        case gas(UInt64)
        /// Reverts when the accumulator is divisible by the operand.
        case revertIfDivisible(UInt64)
        /// Throws unconditionally.
        case fail
        /// Charges more gas than there is, catches the error, carries on.
        case swallowOutOfGas
    }

    struct Failure: Error, CustomStringConvertible {
        var value: UInt64
        var description: String { "program failure \(value)" }
    }

    let keys: [StateKey]
    let ops: [Op]
    let salt: UInt64
    let gasLimit: UInt64
    let gasPrice: UInt64
    let feePayer: StateKey?

    func execute(in context: ExecutionContext) throws {
        var accumulator = salt
        func mix(_ value: UInt64) {
            accumulator = (accumulator ^ value) &* 0x9E37_79B9_7F4A_7C15
            accumulator ^= accumulator >> 31
        }
        for op in ops {
            switch op {
            case .read(let key):
                if let value = try context.read(keys[key]) {
                    mix(UInt64(value.bytes.count) &+ 1)
                    for byte in value.bytes { mix(UInt64(byte)) }
                } else {
                    mix(0xDEAD)
                }
            case .write(let key):
                let length = Int(accumulator % 13)
                var bytes: [UInt8] = []
                var word = accumulator
                for _ in 0..<length {
                    bytes.append(UInt8(truncatingIfNeeded: word))
                    word = word >> 8 | word << 56
                }
                try context.write(keys[key], StateValue(bytes))
                mix(1)
            case .delete(let key):
                try context.delete(keys[key])
                mix(2)
            case .emit:
                try context.emit(Event(topic: accumulator, data: [UInt8(truncatingIfNeeded: accumulator >> 8)]))
            case .gas(let amount):
                try context.chargeGas(amount)
            case .revertIfDivisible(let divisor):
                if accumulator % divisor == 0 { throw Failure(value: accumulator % 1000) }
            case .fail:
                throw Failure(value: accumulator % 7)
            case .swallowOutOfGas:
                do { try context.chargeGas(.max) } catch {}
                mix(3)
            }
        }
    }
}

/// Random blocks of `ProgramTransaction`s.
struct ProgramBlockGenerator {
    var universe: Int
    var hotProbability: Double
    var maxTransactions: Int
    var maxOps: Int = 10
    var failureRate: Double = 0.05

    func keys() -> [StateKey] { (0..<universe).map { SyntheticWorkload.key($0 + 17) } }

    func baseState(_ generator: inout SplitMix64) -> InMemoryState {
        var entries: [StateKey: StateValue] = [:]
        for key in keys() where generator.chance(0.7) {
            entries[key] = StateValue((0..<Int(generator.next() % 9)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        }
        return InMemoryState(entries)
    }

    func block(_ generator: inout SplitMix64, count: Int? = nil) -> [any Transaction] {
        let keys = keys()
        let size = count ?? Int(generator.next() % UInt64(maxTransactions + 1))
        var block: [any Transaction] = []
        for _ in 0..<size {
            func key() -> Int { generator.chance(hotProbability) ? 0 : Int(generator.next() % UInt64(universe)) }
            var ops: [ProgramTransaction.Op] = []
            for _ in 0..<(1 + Int(generator.next() % UInt64(maxOps))) {
                let roll = generator.next() % 100
                switch roll {
                case 0..<35: ops.append(.read(key()))
                case 35..<65: ops.append(.write(key()))
                case 65..<72: ops.append(.delete(key()))
                case 72..<80: ops.append(.emit)
                case 80..<88: ops.append(.gas(generator.next() % 3_000))
                case 88..<95: ops.append(.revertIfDivisible(2 + generator.next() % 6))
                default:
                    if generator.chance(failureRate * 4) {
                        ops.append(generator.chance(0.5) ? .fail : .swallowOutOfGas)
                    } else {
                        ops.append(.read(key()))
                    }
                }
            }
            block.append(ProgramTransaction(
                keys: keys, ops: ops, salt: generator.next(),
                gasLimit: generator.chance(0.1) ? 800 + generator.next() % 3_000 : 1_000_000,
                gasPrice: 1 + generator.next() % 3,
                feePayer: generator.chance(0.6) ? keys[key()] : nil))
        }
        return block
    }
}

/// A description of the first difference between two block outputs.
func firstDifference(_ expected: BlockOutput, _ actual: BlockOutput) -> String? {
    if expected.transactions.count != actual.transactions.count {
        return "transaction count \(expected.transactions.count) vs \(actual.transactions.count)"
    }
    for (index, (lhs, rhs)) in zip(expected.transactions, actual.transactions).enumerated() where lhs != rhs {
        return "txn \(index): sequential \(lhs) vs parallel \(rhs)"
    }
    if expected.stateDelta != actual.stateDelta {
        return "state delta: \(expected.stateDelta.count) vs \(actual.stateDelta.count) writes"
    }
    if expected.stateRoot != actual.stateRoot { return "state root \(expected.stateRoot) vs \(actual.stateRoot)" }
    return nil
}
