import Foundation
import ParallaxEthereum
import ParallaxTestSupport
import Testing

/// Every `UInt256` operation against Python's exact integers
/// (`uint256_reference.py`, the EVM semantics written out plainly), on edge
/// operands (all pairs) and on seeded random operands of every width (so
/// each division path, 1 to 4 divisor limbs, is taken). A failure prints
/// the seed: rerun with PX_TEST_SEED=<seed> to replay it.
@Suite struct UInt256ReferenceTests {
    static let edges: [UInt256] = {
        var values: [UInt256] = [
            .zero, .one, UInt256(2), UInt256(3), UInt256(7), UInt256(31), UInt256(32), UInt256(255), UInt256(256),
            UInt256(UInt64.max), UInt256(0, 1, 0, 0), UInt256(.max, .max, 0, 0), UInt256(0, 0, 1, 0),
            UInt256(.max, .max, .max, 0), UInt256(0, 0, 0, 1), UInt256(0, 0, 0, 1 << 63),
            UInt256(.max, .max, .max, .max >> 1), .max, UInt256(.max - 1, .max, .max, .max),
            UInt256(1, 0, 0, 1 << 63), UInt256(0, 0, 0, 1 << 62), UInt256(1, 1, 1, 1),
            UInt256(0, .max, 0, .max), UInt256(.max, 0, .max, 0), UInt256(1 << 63, 0, 0, 0),
            UInt256(0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0, 0), UInt256(.max, 0, 0, .max),
        ]
        // The two's-complement negations of small values: -1, -2, -256.
        values += [UInt256(1), UInt256(2), UInt256(256)].map(\.negated)
        return values
    }()

    /// Dividend/divisor pairs that take the rare branches of the division
    /// kernel (px_uint256.h), found by simulating it in Python over words
    /// built from extreme limbs: the first six make a `divq`-estimated
    /// algorithm D add back; the last three make the 3-by-2-estimated one
    /// both add back and meet a top remainder equal to the divisor's top
    /// two limbs (digit 2^64 - 1).
    static let addBackPairs: [(UInt256, UInt256)] = [
        ("0xffffffffffffffff000000000000000000000000000000008000000000000001", "0xffffffffffffffff00000000000000007fffffffffffffff"),
        ("0x7fffffffffffffff800000000000000100000000000000028000000000000001", "0x800000000000000000000000000000018000000000000001"),
        ("0x8000000000000001000000000000000180000000000000010000000000000001", "0x100000000000000000000000000000002fffffffffffffffe"),
        ("0x8000000000000001800000000000000100000000000000020000000000000000", "0x80000000000000018000000000000001fffffffffffffffe"),
        ("0x8000000000000001ffffffffffffffff7fffffffffffffff0000000000000000", "0xffffffffffffffffffffffffffffffffffffffffffffffff"),
        ("0x1fffffffffffffffe00000000000000028000000000000000", "0xffffffffffffffff0000000000000001ffffffffffffffff"),
        ("0x800000000000000000000000000000027fffffffffffffff0000000000000001", "0x800000000000000000000000000000028000000000000000"),
        ("0x10000000000000002fffffffffffffffefffffffffffffffe", "0x10000000000000002ffffffffffffffff"),
        ("0xffffffffffffffff00000000000000027fffffffffffffff0000000000000001", "0xffffffffffffffff0000000000000002fffffffffffffffe"),
    ].map { (UInt256(hex: $0.0)!, UInt256(hex: $0.1)!) }

    /// A random word whose width is random too: zero limbs, top bits clear,
    /// one-limb differences from `like`.
    static func operand(_ rng: inout SeededGenerator, like other: UInt256? = nil) -> UInt256 {
        switch rng.next() % 8 {
        case 0: return edges[Int(rng.next() % UInt64(edges.count))]
        case 1:
            if let other {
                var value = other
                switch rng.next() % 4 {
                case 0: value.l0 = rng.next()
                case 1: value.l1 = rng.next()
                case 2: value.l2 = rng.next()
                default: value.l3 = rng.next()
                }
                return value
            }
            return UInt256(rng.next(), rng.next(), rng.next(), rng.next())
        case 2, 3:
            return UInt256(rng.next(), rng.next(), rng.next(), rng.next())
        default:
            let full = UInt256(rng.next(), rng.next(), rng.next(), rng.next())
            return full.shiftedRight(Int(rng.next() % 256))
        }
    }

    /// A shift amount or index: mostly in range, sometimes at or past it.
    static func count(_ rng: inout SeededGenerator) -> UInt256 {
        switch rng.next() % 8 {
        case 0: return UInt256(rng.next(), rng.next(), rng.next(), rng.next())
        case 1: return UInt256(UInt64(250 + rng.next() % 20))
        case 2: return UInt256(UInt64(28 + rng.next() % 8))
        default: return UInt256(rng.next() % 300)
        }
    }

    struct Case {
        var op: String
        var operands: [UInt256]
        var got: String
    }

    static func hex(_ value: UInt256) -> String { String(value.description.dropFirst(2)) }
    static func flag(_ value: Bool) -> String { value ? "1" : "0" }

    static func evaluate(_ op: String, _ x: [UInt256]) -> String {
        switch op {
        case "add": return hex(x[0] &+ x[1])
        case "sub": return hex(x[0] &- x[1])
        case "mul": return hex(x[0] &* x[1])
        case "mulhi": return hex(x[0].multipliedFullWidth(by: x[1]).high)
        case "addo": return flag(x[0].addingReportingOverflow(x[1]).overflow)
        case "subo": return flag(x[0].subtractingReportingOverflow(x[1]).overflow)
        case "div": return hex(x[0].evmDiv(x[1]))
        case "mod": return hex(x[0].evmMod(x[1]))
        case "sdiv": return hex(x[0].evmSDiv(x[1]))
        case "smod": return hex(x[0].evmSMod(x[1]))
        case "addmod": return hex(x[0].evmAddMod(x[1], x[2]))
        case "mulmod": return hex(x[0].evmMulMod(x[1], x[2]))
        case "exp": return hex(x[0].evmExp(x[1]))
        case "signextend": return hex(x[0].evmSignExtend(byteIndex: x[1]))
        case "byte": return hex(x[0].evmByte(index: x[1]))
        case "shl": return hex(x[0].evmShl(by: x[1]))
        case "shr": return hex(x[0].evmShr(by: x[1]))
        case "sar": return hex(x[0].evmSar(by: x[1]))
        case "lt": return flag(x[0] < x[1])
        case "slt": return flag(x[0].signedLessThan(x[1]))
        case "and": return hex(x[0] & x[1])
        case "or": return hex(x[0] | x[1])
        case "xor": return hex(x[0] ^ x[1])
        case "not": return hex(~x[0])
        case "neg": return hex(x[0].negated)
        case "lzc": return String(x[0].leadingZeroBitCount, radix: 16)
        case "dec": return x[0].decimalDescription
        default: fatalError("no such op \(op)")
        }
    }

    static let binary = [
        "add", "sub", "mul", "mulhi", "addo", "subo", "div", "mod", "sdiv", "smod", "lt", "slt", "and", "or", "xor",
    ]
    static let counted = ["signextend", "byte", "shl", "shr", "sar"]
    static let ternary = ["addmod", "mulmod"]
    static let unary = ["not", "neg", "lzc", "dec"]

    static func cases(randomPerOp: Int, rng: inout SeededGenerator) -> [Case] {
        var cases: [Case] = []
        func add(_ op: String, _ operands: [UInt256]) {
            cases.append(Case(op: op, operands: operands, got: evaluate(op, operands)))
        }
        for a in edges {
            for op in unary { add(op, [a]) }
            for b in edges {
                for op in binary + counted { add(op, [a, b]) }
                add("exp", [a, b])
                for op in ternary {
                    add(op, [a, b, edges[(a.l0 &+ b.l1 &+ b.l3).hashValue & 0xF]])
                    add(op, [a, b, b])
                }
            }
            for op in counted {
                for index in [0, 1, 30, 31, 32, 33, 63, 64, 127, 128, 255, 256, 257] as [UInt64] {
                    add(op, [a, UInt256(index)])
                }
            }
        }
        for (u, v) in addBackPairs {
            for op in ["div", "mod", "sdiv", "smod"] { add(op, [u, v]) }
            add("addmod", [u, u, v])
            add("mulmod", [u, u, v])
            add("mulmod", [u, .max, v])
        }
        // Every entry of the reciprocal table (indexed by the 8 bits below a
        // normalized divisor's top bit), with the divisor's top at each limb.
        for index in 0..<UInt64(256) {
            let top = (0x100 | index) << 55 | rng.next() >> 9
            for limb in 0..<4 {
                let divisor = UInt256(top, rng.next(), rng.next(), rng.next())
                    .shiftedRight(64 * (3 - limb) + Int(rng.next() % 8))
                let dividend = UInt256(rng.next(), rng.next(), rng.next(), rng.next())
                add("div", [dividend, divisor])
                add("mod", [dividend, divisor])
                add("mulmod", [dividend, .max, divisor])
            }
        }
        for _ in 0..<randomPerOp {
            let a = operand(&rng)
            let b = operand(&rng, like: a)
            let c = operand(&rng, like: a)
            for op in unary { add(op, [a]) }
            for op in binary { add(op, [a, b]) }
            for op in counted { add(op, [a, count(&rng)]) }
            for op in ternary { add(op, [a, b, c]) }
            // Exponents: full width, and small ones that do not wrap to 0.
            add("exp", [a, b])
            add("exp", [operand(&rng).shiftedRight(192 + Int(rng.next() % 64)), UInt256(rng.next() % 80)])
        }
        return cases
    }

    static func runReference(_ cases: [Case]) throws -> [Substring] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("uint256_reference.py")
        var input = ""
        input.reserveCapacity(cases.count * 150)
        for item in cases {
            input += item.op
            for operand in item.operands { input += " " + hex(operand) }
            input += "\n"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // Write from another thread: the reference's output would fill the
        // pipe while we still write its input.
        let data = Data(input.utf8)
        let writer = Thread {
            stdin.fileHandleForWriting.write(data)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "uint256_reference.py failed")
        return String(decoding: output, as: UTF8.self).split(separator: "\n")
    }

    @Test func everyOperationMatchesPythonIntegers() throws {
        var rng = SeededGenerator.fromEnvironment()
        let seed = rng.seed
        let cases = Self.cases(randomPerOp: 4000, rng: &rng)
        let expected = try Self.runReference(cases)
        try #require(expected.count == cases.count, "reference gave \(expected.count) lines for \(cases.count) cases")
        var failures: [String: Int] = [:]
        for (item, want) in zip(cases, expected) where item.got != want {
            failures[item.op, default: 0] += 1
            if failures[item.op]! <= 5 {
                Issue.record("seed \(seed): \(item.op)(\(item.operands.map(\.description).joined(separator: ", "))) = 0x\(item.got), Python says 0x\(want)")
            }
        }
        #expect(failures.isEmpty, "seed \(seed): mismatches by op: \(failures)")
    }
}
