// A debugging trace, on when the environment variable PX_EVM_TRACE is set:
// one line per executed opcode (depth, pc, opcode, gas before it, stack top)
// and the transaction's state changes, in the spirit of EIP-3155 traces, to
// compare against `ethereum-spec-evm statetest --json`. Read once per process.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ParallaxEthereum

enum Trace {
    static let enabled: Bool = getenv("PX_EVM_TRACE") != nil

    static func op(_ f: Frame, pc: Int, op: UInt8, gas: Int64, sp: Int) {
        let top = sp > 0 ? f.stack[sp - 1].description : "-"
        print("TRACE \(f.depth + 1) \(pc) 0x\(String(op, radix: 16)) \(gas) \(top)")
    }

    static func result(_ r: TransactionResult) {
        print("TRACE status \(r.status) gasUsed \(r.gasUsed) refund \(r.gasRefunded) credit \(r.changes.coinbaseCredit)")
        for (a, info) in r.changes.accounts {
            if let info {
                print("TRACE account \(a) nonce \(info.nonce) balance \(info.balance) code \(info.codeHash)")
            } else {
                print("TRACE account \(a) deleted")
            }
        }
        for (a, slots) in r.changes.storage {
            for (k, v) in slots { print("TRACE storage \(a) \(k) = \(v)") }
        }
        for a in r.changes.storageWiped { print("TRACE wiped \(a)") }
    }
}
