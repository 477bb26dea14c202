// One call frame (Yellow Paper 9.4, the machine state mu): program counter,
// gas, stack (1024 words in one preallocated buffer), memory and the return
// data of the last child call, plus the call context it runs in.
//
// Frames are driven by an explicit frame stack in `Machine` rather than by
// recursion, so a 1024-deep call chain uses heap, not thread stack.

import ParallaxEthereum

final class Frame {
    static let stackLimit = 1024

    enum Kind {
        case call
        case create(Address)
    }

    let kind: Kind
    /// Code, padded with 33 zero bytes so PUSH data and the op after the end read zero (STOP).
    let code: UnsafeMutableBufferPointer<UInt8>
    let codeSize: Int
    let jumpTable: JumpTable
    /// The account whose storage and balance this frame acts on (ADDRESS).
    let address: Address
    let caller: Address
    let value: UInt256
    let input: [UInt8]
    let isStatic: Bool
    let depth: Int
    let checkpoint: Checkpoint

    var pc = 0
    var gas: Int64
    var refund: Int64 = 0
    let stack: UnsafeMutablePointer<UInt256>
    var sp = 0
    let memory = Memory()
    var returnData: [UInt8] = []

    /// Where a pending child call's output goes in memory.
    var pendingReturnOffset = 0
    var pendingReturnSize = 0

    init(
        kind: Kind, code: [UInt8], jumpTable: JumpTable, address: Address, caller: Address, value: UInt256,
        input: [UInt8], isStatic: Bool, depth: Int, gas: Int64, checkpoint: Checkpoint
    ) {
        self.kind = kind
        let padded = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: code.count + 33)
        _ = padded.initialize(from: code)
        (padded.baseAddress! + code.count).initialize(repeating: 0, count: 33)
        self.code = padded
        self.codeSize = code.count
        self.jumpTable = jumpTable
        self.address = address
        self.caller = caller
        self.value = value
        self.input = input
        self.isStatic = isStatic
        self.depth = depth
        self.gas = gas
        self.checkpoint = checkpoint
        self.stack = UnsafeMutablePointer<UInt256>.allocate(capacity: Frame.stackLimit)
    }

    deinit {
        code.deallocate()
        stack.deallocate()
    }

    @inline(__always)
    func push(_ v: UInt256) {
        stack[sp] = v
        sp += 1
    }
}

/// How a frame ended.
enum FrameEnd {
    case success([UInt8])
    case revert([UInt8])
    case halt(HaltReason)
}

/// What a frame's execution loop hands back to the driver.
enum FrameAction {
    case call(CallRequest)
    case create(CreateRequest)
    case done(FrameEnd)
}

struct CallRequest {
    var target: Address
    var codeAddress: Address
    var caller: Address
    var value: UInt256
    /// CALL moves `value` from caller to target; CALLCODE and DELEGATECALL move nothing.
    var transfers: Bool
    var input: [UInt8]
    var gas: Int64
    var isStatic: Bool
}

struct CreateRequest {
    var caller: Address
    var value: UInt256
    var initcode: [UInt8]
    var salt: UInt256?
    var gas: Int64
}

/// A finished child as its parent sees it.
struct ChildOutcome {
    var end: FrameEnd
    var gasLeft: Int64
    var refund: Int64
}

/// Static per-opcode facts for one fork: base gas, stack inputs, net stack growth.
struct OpInfo {
    var defined: Bool
    var gas: Int64
    var pops: Int
    var growth: Int
}

enum OpTable {
    static let byFork: [[OpInfo]] = Fork.allCases.map(build)

    static func build(_ fork: Fork) -> [OpInfo] {
        var t = [OpInfo](repeating: OpInfo(defined: false, gas: 0, pops: 0, growth: 0), count: 256)
        func set(_ op: Int, _ gas: Int64, _ pops: Int, _ pushes: Int, _ since: Fork = .frontier) {
            if fork >= since { t[op] = OpInfo(defined: true, gas: gas, pops: pops, growth: pushes - pops) }
        }
        let berlin = fork >= .berlin
        set(0x00, 0, 0, 0)
        set(0x01, 3, 2, 1); set(0x02, 5, 2, 1); set(0x03, 3, 2, 1); set(0x04, 5, 2, 1)
        set(0x05, 5, 2, 1); set(0x06, 5, 2, 1); set(0x07, 5, 2, 1); set(0x08, 8, 3, 1)
        set(0x09, 8, 3, 1); set(0x0A, 10, 2, 1); set(0x0B, 5, 2, 1)
        for op in 0x10...0x14 { set(op, 3, 2, 1) }
        set(0x15, 3, 1, 1); set(0x16, 3, 2, 1); set(0x17, 3, 2, 1); set(0x18, 3, 2, 1); set(0x19, 3, 1, 1)
        set(0x1A, 3, 2, 1)
        set(0x1B, 3, 2, 1, .constantinople); set(0x1C, 3, 2, 1, .constantinople); set(0x1D, 3, 2, 1, .constantinople)
        set(0x20, 30, 2, 1)
        set(0x30, 2, 0, 1)
        set(0x31, berlin ? 0 : (fork >= .istanbul ? 700 : fork >= .tangerineWhistle ? 400 : 20), 1, 1)
        set(0x32, 2, 0, 1); set(0x33, 2, 0, 1); set(0x34, 2, 0, 1); set(0x35, 3, 1, 1); set(0x36, 2, 0, 1)
        set(0x37, 3, 3, 0); set(0x38, 2, 0, 1); set(0x39, 3, 3, 0); set(0x3A, 2, 0, 1)
        set(0x3B, berlin ? 0 : (fork >= .tangerineWhistle ? 700 : 20), 1, 1)
        set(0x3C, berlin ? 0 : (fork >= .tangerineWhistle ? 700 : 20), 4, 0)
        set(0x3D, 2, 0, 1, .byzantium); set(0x3E, 3, 3, 0, .byzantium)
        set(0x3F, berlin ? 0 : (fork >= .istanbul ? 700 : 400), 1, 1, .constantinople)
        set(0x40, 20, 1, 1)
        for op in 0x41...0x45 { set(op, 2, 0, 1) }
        set(0x46, 2, 0, 1, .istanbul); set(0x47, 5, 0, 1, .istanbul); set(0x48, 2, 0, 1, .london)
        set(0x49, 3, 1, 1, .cancun); set(0x4A, 2, 0, 1, .cancun)
        set(0x50, 2, 1, 0); set(0x51, 3, 1, 1); set(0x52, 3, 2, 0); set(0x53, 3, 2, 0)
        set(0x54, berlin ? 0 : (fork >= .istanbul ? 800 : fork >= .tangerineWhistle ? 200 : 50), 1, 1)
        set(0x55, 0, 2, 0)
        set(0x56, 8, 1, 0); set(0x57, 10, 2, 0); set(0x58, 2, 0, 1); set(0x59, 2, 0, 1); set(0x5A, 2, 0, 1)
        set(0x5B, 1, 0, 0)
        set(0x5C, 100, 1, 1, .cancun); set(0x5D, 100, 2, 0, .cancun); set(0x5E, 3, 3, 0, .cancun)
        set(0x5F, 2, 0, 1, .shanghai)
        for op in 0x60...0x7F { set(op, 3, 0, 1) }
        for n in 1...16 { set(0x7F + n, 3, n, n + 1) }
        for n in 1...16 { set(0x8F + n, 3, n + 1, n + 1) }
        for n in 0...4 { set(0xA0 + n, 375 * Int64(n + 1), n + 2, 0) }
        set(0xF0, 32000, 3, 1)
        let callGas: Int64 = berlin ? 0 : (fork >= .tangerineWhistle ? 700 : 40)
        set(0xF1, callGas, 7, 1); set(0xF2, callGas, 7, 1); set(0xF3, 0, 2, 0)
        set(0xF4, callGas, 6, 1, .homestead)
        set(0xF5, 32000, 4, 1, .constantinople)
        set(0xFA, callGas, 6, 1, .byzantium)
        set(0xFD, 0, 2, 0, .byzantium)
        set(0xFF, fork >= .tangerineWhistle ? 5000 : 0, 1, 0)
        return t
    }
}
