// Valid JUMP/JUMPI destinations of a piece of code (Yellow Paper 9.4.3): the
// offsets holding a JUMPDEST (0x5b) byte that is an opcode, not PUSH data.
// One linear scan skipping each PUSHn's n data bytes; the result is a bitmap,
// one bit per code byte.
//
// Deployed code is analyzed once and shared across transactions and worker
// threads through `JumpTableCache` (a Mutex-protected dictionary keyed by code
// hash); initcode is analyzed per frame.

import ParallaxEthereum
import Synchronization

struct JumpTable: Sendable {
    private let bits: [UInt64]

    init(code: UnsafeBufferPointer<UInt8>) {
        var bits = [UInt64](repeating: 0, count: (code.count + 63) / 64)
        var pc = 0
        let n = code.count
        while pc < n {
            let op = code[pc]
            if op == 0x5B {
                bits[pc >> 6] |= 1 << UInt64(pc & 63)
                pc += 1
            } else if op >= 0x60 && op <= 0x7F {
                pc += Int(op) - 0x5E
            } else {
                pc += 1
            }
        }
        self.bits = bits
    }

    init(code: [UInt8]) {
        self = code.withUnsafeBufferPointer { JumpTable(code: $0) }
    }

    @inline(__always)
    func isValid(_ destination: Int) -> Bool {
        let word = destination >> 6
        guard destination >= 0, word < bits.count else { return false }
        return bits[word] & (1 << UInt64(destination & 63)) != 0
    }
}

/// Jump tables of deployed code by code hash, shared by every thread.
final class JumpTableCache: Sendable {
    static let shared = JumpTableCache()
    private let tables = Mutex<[Bytes32: JumpTable]>([:])

    func table(for hash: Bytes32, code: [UInt8]) -> JumpTable {
        if let t = tables.withLock({ $0[hash] }) { return t }
        let t = JumpTable(code: code)
        tables.withLock { $0[hash] = t }
        return t
    }
}
