// The execution loop of one frame (Yellow Paper 9.4 and appendix H): fetch the
// opcode, check it is defined for the fork, check stack bounds and charge the
// static gas from `OpTable`, then run it. Dynamic costs (memory expansion,
// EIP-2929 cold access, copies, SSTORE per EIP-2200/2929/3529) are charged in
// the opcode's case. Any exceptional halt (undefined opcode, stack
// underflow/overflow, bad jump, out of gas, state change in a static frame,
// return data read out of bounds) ends the frame with `.halt`; the driver then
// reverts the frame and consumes its gas.
//
// CALL-family and CREATE opcodes that need a child frame return a request to
// the driver (`Machine.execute`), which runs the child and resumes this frame
// with `resume(_:with:)`; failures decided before a child exists (depth,
// balance, nonce) are settled here and the loop continues.

import ParallaxEthereum

extension Machine {
    func run(_ f: Frame) throws -> FrameAction {
        let table = opTable
        let st = f.stack
        let code = f.code.baseAddress!
        let mem = f.memory
        var pc = f.pc
        var gas = f.gas
        var sp = f.sp
        defer {
            f.pc = pc
            f.gas = gas
            f.sp = sp
        }
        let berlin = fork >= .berlin
        let tracing = Trace.enabled

        while true {
            let op = code[pc]
            if tracing { Trace.op(f, pc: pc, op: op, gas: gas, sp: sp) }
            let info = table[Int(op)]
            if !info.defined { return .done(.halt(.invalidOpcode(op))) }
            if sp < info.pops { return .done(.halt(.stackUnderflow)) }
            if sp + info.growth > Frame.stackLimit { return .done(.halt(.stackOverflow)) }
            gas -= info.gas
            if gas < 0 { return .done(.halt(.outOfGas)) }

            switch op {
            case 0x00:
                return .done(.success([]))
            case 0x01:
                sp -= 1; st[sp - 1] = st[sp] &+ st[sp - 1]
            case 0x02:
                sp -= 1; st[sp - 1] = st[sp] &* st[sp - 1]
            case 0x03:
                sp -= 1; st[sp - 1] = st[sp] &- st[sp - 1]
            case 0x04:
                sp -= 1; st[sp - 1] = st[sp].evmDiv(st[sp - 1])
            case 0x05:
                sp -= 1; st[sp - 1] = st[sp].evmSDiv(st[sp - 1])
            case 0x06:
                sp -= 1; st[sp - 1] = st[sp].evmMod(st[sp - 1])
            case 0x07:
                sp -= 1; st[sp - 1] = st[sp].evmSMod(st[sp - 1])
            case 0x08:
                sp -= 2; st[sp - 1] = st[sp + 1].evmAddMod(st[sp], st[sp - 1])
            case 0x09:
                sp -= 2; st[sp - 1] = st[sp + 1].evmMulMod(st[sp], st[sp - 1])
            case 0x0A:
                let base = st[sp - 1], exponent = st[sp - 2]
                gas -= Int64(exponent.significantBytes) * (fork >= .spuriousDragon ? 50 : 10)
                if gas < 0 { return .done(.halt(.outOfGas)) }
                sp -= 1; st[sp - 1] = base.evmExp(exponent)
            case 0x0B:
                sp -= 1; st[sp - 1] = st[sp - 1].evmSignExtend(byteIndex: st[sp])
            case 0x10:
                sp -= 1; st[sp - 1] = st[sp] < st[sp - 1] ? .one : .zero
            case 0x11:
                sp -= 1; st[sp - 1] = st[sp] > st[sp - 1] ? .one : .zero
            case 0x12:
                sp -= 1; st[sp - 1] = st[sp].signedLessThan(st[sp - 1]) ? .one : .zero
            case 0x13:
                sp -= 1; st[sp - 1] = st[sp - 1].signedLessThan(st[sp]) ? .one : .zero
            case 0x14:
                sp -= 1; st[sp - 1] = st[sp] == st[sp - 1] ? .one : .zero
            case 0x15:
                st[sp - 1] = st[sp - 1].isZero ? .one : .zero
            case 0x16:
                sp -= 1; st[sp - 1] = st[sp] & st[sp - 1]
            case 0x17:
                sp -= 1; st[sp - 1] = st[sp] | st[sp - 1]
            case 0x18:
                sp -= 1; st[sp - 1] = st[sp] ^ st[sp - 1]
            case 0x19:
                st[sp - 1] = ~st[sp - 1]
            case 0x1A:
                sp -= 1; st[sp - 1] = st[sp - 1].evmByte(index: st[sp])
            case 0x1B:
                sp -= 1; st[sp - 1] = st[sp - 1].evmShl(by: st[sp])
            case 0x1C:
                sp -= 1; st[sp - 1] = st[sp - 1].evmShr(by: st[sp])
            case 0x1D:
                sp -= 1; st[sp - 1] = st[sp - 1].evmSar(by: st[sp])
            case 0x20:
                let offset = st[sp - 1], size = st[sp - 2]
                sp -= 1
                guard mem.expand(offset, size, &gas) else { return .done(.halt(.outOfGas)) }
                let n = smallInt(size)!
                gas -= 6 * Int64((n + 31) / 32)
                if gas < 0 { return .done(.halt(.outOfGas)) }
                let start = n == 0 ? 0 : smallInt(offset)!
                st[sp - 1] = keccak256(UnsafeRawBufferPointer(start: mem.base + start, count: n)).word
            case 0x30:
                st[sp] = f.address.word; sp += 1
            case 0x31:
                let a = Address(word: st[sp - 1])
                if berlin { gas -= accessCost(a); if gas < 0 { return .done(.halt(.outOfGas)) } }
                st[sp - 1] = try state.account(a).info.balance
            case 0x32:
                st[sp] = tx.caller.word; sp += 1
            case 0x33:
                st[sp] = f.caller.word; sp += 1
            case 0x34:
                st[sp] = f.value; sp += 1
            case 0x35:
                st[sp - 1] = callDataWord(f.input, st[sp - 1])
            case 0x36:
                st[sp] = UInt256(UInt64(f.input.count)); sp += 1
            case 0x37, 0x39, 0x3E:
                let memOffset = st[sp - 1], dataOffset = st[sp - 2], size = st[sp - 3]
                sp -= 3
                if op == 0x3E {
                    guard let d = smallInt(dataOffset), let s = smallInt(size), d + s <= f.returnData.count else {
                        return .done(.halt(.returnDataOutOfBounds))
                    }
                }
                guard chargeCopy(size, &gas), mem.expand(memOffset, size, &gas) else {
                    return .done(.halt(.outOfGas))
                }
                guard let n = smallInt(size), n > 0 else { break }
                let m = smallInt(memOffset)!
                switch op {
                case 0x37:
                    f.input.withUnsafeBytes { mem.copy(from: $0, sourceOffset: dataOffset, to: m, size: n) }
                case 0x39:
                    mem.copy(
                        from: UnsafeRawBufferPointer(start: code, count: f.codeSize), sourceOffset: dataOffset,
                        to: m, size: n)
                default:
                    f.returnData.withUnsafeBytes { mem.copy(from: $0, sourceOffset: dataOffset, to: m, size: n) }
                }
            case 0x38:
                st[sp] = UInt256(UInt64(f.codeSize)); sp += 1
            case 0x3A:
                st[sp] = gasPrice; sp += 1
            case 0x3B:
                let a = Address(word: st[sp - 1])
                if berlin { gas -= accessCost(a); if gas < 0 { return .done(.halt(.outOfGas)) } }
                st[sp - 1] = UInt256(UInt64(try state.code(a).count))
            case 0x3C:
                let a = Address(word: st[sp - 1])
                let memOffset = st[sp - 2], codeOffset = st[sp - 3], size = st[sp - 4]
                sp -= 4
                if berlin { gas -= accessCost(a) }
                guard gas >= 0, chargeCopy(size, &gas), mem.expand(memOffset, size, &gas) else {
                    return .done(.halt(.outOfGas))
                }
                guard let n = smallInt(size), n > 0 else { break }
                let c = try state.code(a)
                c.withUnsafeBytes { mem.copy(from: $0, sourceOffset: codeOffset, to: smallInt(memOffset)!, size: n) }
            case 0x3D:
                st[sp] = UInt256(UInt64(f.returnData.count)); sp += 1
            case 0x3F:
                let a = Address(word: st[sp - 1])
                if berlin { gas -= accessCost(a); if gas < 0 { return .done(.halt(.outOfGas)) } }
                let acct = try state.account(a)
                st[sp - 1] = acct.info.isEmpty ? .zero : acct.info.codeHash.word
            case 0x40:
                let n = st[sp - 1]
                var h = UInt256.zero
                if let k = n.uint64IfFits, k < block.number, block.number - k <= 256 {
                    h = try state.backend.blockHash(k)?.word ?? .zero
                }
                st[sp - 1] = h
            case 0x41:
                st[sp] = block.coinbase.word; sp += 1
            case 0x42:
                st[sp] = UInt256(block.timestamp); sp += 1
            case 0x43:
                st[sp] = UInt256(block.number); sp += 1
            case 0x44:
                st[sp] = fork >= .paris ? block.prevRandao.word : block.difficulty; sp += 1
            case 0x45:
                st[sp] = UInt256(block.gasLimit); sp += 1
            case 0x46:
                st[sp] = UInt256(block.chainID); sp += 1
            case 0x47:
                st[sp] = try state.account(f.address).info.balance; sp += 1
            case 0x48:
                st[sp] = block.baseFee; sp += 1
            case 0x49:
                let i = st[sp - 1]
                if let k = i.uint64IfFits, k < UInt64(tx.blobVersionedHashes.count) {
                    st[sp - 1] = tx.blobVersionedHashes[Int(k)].word
                } else {
                    st[sp - 1] = .zero
                }
            case 0x4A:
                st[sp] = blobBaseFee; sp += 1
            case 0x50:
                sp -= 1
            case 0x51:
                let offset = st[sp - 1]
                guard mem.expand(offset, UInt256(32), &gas) else { return .done(.halt(.outOfGas)) }
                st[sp - 1] = UInt256(bigEndian: UnsafeRawBufferPointer(start: mem.base + smallInt(offset)!, count: 32))
            case 0x52:
                let offset = st[sp - 1], v = st[sp - 2]
                sp -= 2
                guard mem.expand(offset, UInt256(32), &gas) else { return .done(.halt(.outOfGas)) }
                v.storeBigEndian(to: mem.base + smallInt(offset)!)
            case 0x53:
                let offset = st[sp - 1], v = st[sp - 2]
                sp -= 2
                guard mem.expand(offset, .one, &gas) else { return .done(.halt(.outOfGas)) }
                mem.base.storeBytes(of: UInt8(truncatingIfNeeded: v.l0), toByteOffset: smallInt(offset)!, as: UInt8.self)
            case 0x54:
                let key = st[sp - 1]
                if berlin {
                    gas -= state.warmSlot(f.address, key) ? 2100 : 100
                    if gas < 0 { return .done(.halt(.outOfGas)) }
                }
                st[sp - 1] = try state.slot(f.address, key).current
            case 0x55:
                if f.isStatic { return .done(.halt(.staticViolation)) }
                let key = st[sp - 1], v = st[sp - 2]
                sp -= 2
                if fork >= .istanbul && gas <= 2300 { return .done(.halt(.outOfGas)) }
                let (cost, refund) = try sstoreCost(f.address, key, v)
                gas -= cost
                if gas < 0 { return .done(.halt(.outOfGas)) }
                f.refund += refund
                try state.setStorage(f.address, key, v)
            case 0x56:
                let dest = st[sp - 1]
                sp -= 1
                guard let d = smallInt(dest), f.jumpTable.isValid(d) else { return .done(.halt(.badJump)) }
                pc = d
                continue
            case 0x57:
                let dest = st[sp - 1], cond = st[sp - 2]
                sp -= 2
                if !cond.isZero {
                    guard let d = smallInt(dest), f.jumpTable.isValid(d) else { return .done(.halt(.badJump)) }
                    pc = d
                    continue
                }
            case 0x58:
                st[sp] = UInt256(UInt64(pc)); sp += 1
            case 0x59:
                st[sp] = UInt256(UInt64(mem.count)); sp += 1
            case 0x5A:
                st[sp] = UInt256(UInt64(gas)); sp += 1
            case 0x5B:
                break
            case 0x5C:
                st[sp - 1] = state.transientValue(f.address, st[sp - 1])
            case 0x5D:
                if f.isStatic { return .done(.halt(.staticViolation)) }
                state.setTransient(f.address, st[sp - 1], st[sp - 2])
                sp -= 2
            case 0x5E:
                let dst = st[sp - 1], src = st[sp - 2], size = st[sp - 3]
                sp -= 3
                guard chargeCopy(size, &gas), mem.expand(src, size, &gas), mem.expand(dst, size, &gas) else {
                    return .done(.halt(.outOfGas))
                }
                if let n = smallInt(size), n > 0 {
                    (mem.base + smallInt(dst)!).copyMemory(from: mem.base + smallInt(src)!, byteCount: n)
                }
            case 0x5F:
                st[sp] = .zero; sp += 1
            case 0x60...0x7F:
                let n = Int(op) - 0x5F
                st[sp] = UInt256(bigEndian: UnsafeRawBufferPointer(start: code + pc + 1, count: n))
                sp += 1
                pc += n
            case 0x80...0x8F:
                let n = Int(op) - 0x7F
                st[sp] = st[sp - n]; sp += 1
            case 0x90...0x9F:
                let n = Int(op) - 0x8F
                let t = st[sp - 1]
                st[sp - 1] = st[sp - 1 - n]
                st[sp - 1 - n] = t
            case 0xA0...0xA4:
                if f.isStatic { return .done(.halt(.staticViolation)) }
                let n = Int(op) - 0xA0
                let offset = st[sp - 1], size = st[sp - 2]
                var topics: [Bytes32] = []
                topics.reserveCapacity(n)
                for i in 0..<n { topics.append(Bytes32(word: st[sp - 3 - i])) }
                sp -= 2 + n
                guard mem.expand(offset, size, &gas) else { return .done(.halt(.outOfGas)) }
                let s = smallInt(size)!
                gas -= 8 * Int64(s)
                if gas < 0 { return .done(.halt(.outOfGas)) }
                let data = mem.bytes(s == 0 ? 0 : smallInt(offset)!, s)
                state.logs.append(Log(address: f.address, topics: topics, data: data))
            case 0xF0, 0xF5:
                if let action = try prepareCreate(f, op, &gas, &sp) {
                    pc += 1
                    return action
                }
            case 0xF1, 0xF2, 0xF4, 0xFA:
                if let action = try prepareCall(f, op, &gas, &sp) {
                    pc += 1
                    return action
                }
            case 0xF3, 0xFD:
                let offset = st[sp - 1], size = st[sp - 2]
                sp -= 2
                guard mem.expand(offset, size, &gas) else { return .done(.halt(.outOfGas)) }
                let s = smallInt(size)!
                let out = mem.bytes(s == 0 ? 0 : smallInt(offset)!, s)
                return .done(op == 0xF3 ? .success(out) : .revert(out))
            case 0xFF:
                if f.isStatic { return .done(.halt(.staticViolation)) }
                let beneficiary = Address(word: st[sp - 1])
                sp -= 1
                return try selfDestruct(f, beneficiary, &gas)
            default:
                return .done(.halt(.invalidOpcode(op)))
            }
            pc += 1
        }
    }

    /// EIP-2929 account access: 2600 cold (and now warm), 100 warm.
    @inline(__always)
    func accessCost(_ a: Address) -> Int64 {
        state.warmAccount(a) ? 2600 : 100
    }

    /// 3 gas per 32-byte word copied; false when out of gas.
    @inline(__always)
    func chargeCopy(_ size: UInt256, _ gas: inout Int64) -> Bool {
        if size.isZero { return true }
        guard let n = smallInt(size) else { return false }
        gas -= 3 * Int64((n + 31) / 32)
        return gas >= 0
    }

    func callDataWord(_ input: [UInt8], _ offset: UInt256) -> UInt256 {
        guard let o = smallInt(offset), o < input.count else { return .zero }
        return input.withUnsafeBytes { raw in
            var word: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            let n = min(32, input.count - o)
            return withUnsafeMutableBytes(of: &word) { w in
                w.baseAddress!.copyMemory(from: raw.baseAddress! + o, byteCount: n)
                return UInt256(bigEndian: UnsafeRawBufferPointer(w))
            }
        }
    }

    /// SSTORE gas and refund change: net metering (EIP-1283 in Constantinople,
    /// removed again by Petersburg; EIP-2200 from Istanbul) with EIP-2929
    /// cold slot costs and EIP-3529 refunds (Cancun); otherwise the Frontier
    /// rule (20000 set, 5000 reset, 15000 refund for a clear). EIP-1283 is
    /// EIP-2200 with a 200-gas no-op price and without the 2300-gas sentry.
    func sstoreCost(_ address: Address, _ key: UInt256, _ new: UInt256) throws -> (Int64, Int64) {
        var cost: Int64 = 0
        if fork >= .berlin && state.warmSlot(address, key) { cost += 2100 }
        let slot = try state.slot(address, key)
        let original = slot.original, current = slot.current
        guard fork >= .istanbul || fork == .constantinople else {
            if current.isZero && !new.isZero { return (20000, 0) }
            return (5000, !current.isZero && new.isZero ? 15000 : 0)
        }
        let sloadGas: Int64 = fork >= .berlin ? 100 : fork >= .istanbul ? 800 : 200
        let resetGas: Int64 = fork >= .berlin ? 5000 - 2100 : 5000
        let clearRefund: Int64 = fork >= .london ? 4800 : 15000
        var refund: Int64 = 0
        if current == new {
            cost += sloadGas
        } else if original == current {
            if original.isZero {
                cost += 20000
            } else {
                cost += resetGas
                if new.isZero { refund += clearRefund }
            }
        } else {
            cost += sloadGas
            if !original.isZero {
                if current.isZero {
                    refund -= clearRefund
                } else if new.isZero {
                    refund += clearRefund
                }
            }
            if original == new {
                refund += original.isZero ? 20000 - sloadGas : resetGas - sloadGas
            }
        }
        return (cost, refund)
    }
}
