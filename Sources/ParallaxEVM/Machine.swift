// The EVM of one transaction: the journaled state, the environment, and the
// frame driver.
//
// `execute` runs frames on an explicit stack (like revm's call stack): a frame
// runs until it finishes or asks for a child (CALL family, CREATE/CREATE2);
// the child is pushed, and when it finishes its outcome is folded back into
// the parent (gas returned, refund merged on success, output copied, return
// data set) and the parent resumes. Each frame takes a journal checkpoint on
// entry; a revert or exceptional halt rolls back to it, success keeps its
// changes for the parent to keep or roll back in turn.

import ParallaxEthereum

final class Machine {
    let state: JournaledState
    let fork: Fork
    let block: BlockEnvironment
    let tx: TransactionEnvironment
    let gasPrice: UInt256
    let blobBaseFee: UInt256
    let opTable: [OpInfo]

    static let maxCodeSize = 24576
    static let maxInitcodeSize = 2 * 24576
    static let maxDepth = 1024

    init(state: JournaledState, fork: Fork, block: BlockEnvironment, tx: TransactionEnvironment, gasPrice: UInt256) {
        self.state = state
        self.fork = fork
        self.block = block
        self.tx = tx
        self.gasPrice = gasPrice
        self.blobBaseFee = fork >= .cancun ? block.blobBaseFee : .zero
        self.opTable = OpTable.byFork[fork.rawValue]
    }

    // MARK: Driver

    /// Runs a root frame to its end with all its descendants.
    func execute(_ root: Frame) throws -> ChildOutcome {
        var frames: [Frame] = [root]
        while let f = frames.last {
            let action = try run(f)
            switch action {
            case .call(let request):
                switch try startCall(request, parent: f) {
                case .frame(let child): frames.append(child)
                case .immediate(let outcome): resumeAfterCall(f, outcome)
                }
            case .create(let request):
                switch try startCreate(request, depth: f.depth + 1) {
                case .frame(let child): frames.append(child)
                case .immediate(let outcome): resumeAfterCreate(f, outcome, address: nil)
                }
            case .done(let end):
                let outcome = finish(f, end)
                frames.removeLast()
                guard let parent = frames.last else { return outcome }
                if case .create(let address) = f.kind {
                    resumeAfterCreate(parent, outcome, address: address)
                } else {
                    resumeAfterCall(parent, outcome)
                }
            }
        }
        preconditionFailure("frame stack emptied without an outcome")
    }

    /// Settles a finished frame: code deposit for creates, rollback on failure.
    func finish(_ f: Frame, _ end: FrameEnd) -> ChildOutcome {
        var end = end
        var gasLeft = f.gas
        if case .create(let address) = f.kind, case .success(let code) = end {
            let depositCost = Int64(code.count) * 200
            if fork >= .spuriousDragon && code.count > Machine.maxCodeSize {
                end = .halt(.codeSizeLimit)
            } else if fork >= .london && code.first == 0xEF {
                end = .halt(.invalidCodePrefix)
            } else if depositCost > gasLeft {
                if fork >= .homestead { end = .halt(.outOfGas) }
                // Frontier kept the account without code when the deposit was unaffordable.
            } else {
                gasLeft -= depositCost
                do {
                    try state.setCode(address, code, hash: keccak256(code))
                } catch {
                    preconditionFailure("the created account is loaded; setCode does not read the backend")
                }
            }
            if case .success = end { return ChildOutcome(end: .success([]), gasLeft: gasLeft, refund: f.refund) }
        }
        switch end {
        case .success:
            return ChildOutcome(end: end, gasLeft: gasLeft, refund: f.refund)
        case .revert:
            state.revert(to: f.checkpoint)
            return ChildOutcome(end: end, gasLeft: gasLeft, refund: 0)
        case .halt:
            state.revert(to: f.checkpoint)
            return ChildOutcome(end: end, gasLeft: 0, refund: 0)
        }
    }

    private func resumeAfterCall(_ parent: Frame, _ outcome: ChildOutcome) {
        parent.gas += outcome.gasLeft
        let success: Bool
        switch outcome.end {
        case .success(let out):
            success = true
            parent.refund += outcome.refund
            parent.returnData = out
        case .revert(let out):
            success = false
            parent.returnData = out
        case .halt:
            success = false
            parent.returnData = []
        }
        let n = min(parent.pendingReturnSize, parent.returnData.count)
        if n > 0 {
            parent.returnData.withUnsafeBytes {
                (parent.memory.base + parent.pendingReturnOffset).copyMemory(from: $0.baseAddress!, byteCount: n)
            }
        }
        parent.push(success ? .one : .zero)
    }

    private func resumeAfterCreate(_ parent: Frame, _ outcome: ChildOutcome, address: Address?) {
        parent.gas += outcome.gasLeft
        switch outcome.end {
        case .success:
            parent.refund += outcome.refund
            parent.returnData = []
            parent.push(address?.word ?? .zero)
        case .revert(let out):
            parent.returnData = out
            parent.push(.zero)
        case .halt:
            parent.returnData = []
            parent.push(.zero)
        }
    }

    enum Start {
        case frame(Frame)
        case immediate(ChildOutcome)
    }

    // MARK: Calls

    /// Pops a CALL-family opcode's operands, charges its gas (memory, EIP-2929
    /// access, value transfer, new account, the EIP-150 63/64 child share) and
    /// either returns the child request or settles an early failure (depth,
    /// balance) in place, returning nil.
    func prepareCall(_ f: Frame, _ op: UInt8, _ gas: inout Int64, _ sp: inout Int) throws -> FrameAction? {
        let st = f.stack
        let requested = st[sp - 1]
        let target = Address(word: st[sp - 2])
        var value = UInt256.zero
        var i = sp - 3
        if op == 0xF1 || op == 0xF2 {
            value = st[i]
            i -= 1
        }
        let inOffset = st[i], inSize = st[i - 1], outOffset = st[i - 2], outSize = st[i - 3]
        sp = i - 3
        if op == 0xF1 && f.isStatic && !value.isZero { return .done(.halt(.staticViolation)) }
        guard f.memory.expand(inOffset, inSize, &gas), f.memory.expand(outOffset, outSize, &gas) else {
            return .done(.halt(.outOfGas))
        }
        var cost: Int64 = 0
        if fork >= .berlin { cost += accessCost(target) }
        if !value.isZero { cost += 9000 }
        if op == 0xF1 {
            // The new-account charge: from Spurious Dragon (EIP-161) for value
            // sent to an empty account; before, for any CALL to an account that
            // does not exist, with or without value.
            if fork >= .spuriousDragon {
                if !value.isZero, try state.account(target).info.isEmpty { cost += 25000 }
            } else if !state.exists(try state.account(target)) {
                cost += 25000
            }
        }
        gas -= cost
        if gas < 0 { return .done(.halt(.outOfGas)) }
        var childGas: Int64
        if fork >= .tangerineWhistle {
            let cap = gas - gas / 64
            childGas = requested.uint64IfFits.map { $0 < UInt64(cap) ? Int64($0) : cap } ?? cap
        } else {
            guard let r = requested.uint64IfFits, r <= UInt64(gas) else { return .done(.halt(.outOfGas)) }
            childGas = Int64(r)
        }
        gas -= childGas
        if !value.isZero { childGas += 2300 }
        f.returnData = []
        let outSizeInt = smallInt(outSize) ?? 0
        f.pendingReturnOffset = outSizeInt == 0 ? 0 : smallInt(outOffset)!
        f.pendingReturnSize = outSizeInt

        let callerBalance = try state.account(f.address).info.balance
        if f.depth >= Machine.maxDepth || (!value.isZero && (op == 0xF1 || op == 0xF2) && callerBalance < value) {
            gas += childGas
            st[sp] = .zero
            sp += 1
            return nil
        }
        let input = f.memory.bytes(smallInt(inSize) == 0 ? 0 : smallInt(inOffset)!, smallInt(inSize)!)
        let request: CallRequest
        switch op {
        case 0xF1:
            request = CallRequest(
                target: target, codeAddress: target, caller: f.address, value: value, transfers: true,
                input: input, gas: childGas, isStatic: f.isStatic)
        case 0xF2:
            request = CallRequest(
                target: f.address, codeAddress: target, caller: f.address, value: value, transfers: false,
                input: input, gas: childGas, isStatic: f.isStatic)
        case 0xF4:
            request = CallRequest(
                target: f.address, codeAddress: target, caller: f.caller, value: f.value, transfers: false,
                input: input, gas: childGas, isStatic: f.isStatic)
        default:
            request = CallRequest(
                target: target, codeAddress: target, caller: f.address, value: .zero, transfers: true,
                input: input, gas: childGas, isStatic: true)
        }
        return .call(request)
    }

    /// Enters a call: checkpoint, value transfer (touching both sides), then a
    /// precompile, an empty-code success, or a child frame.
    func startCall(_ r: CallRequest, parent: Frame?) throws -> Start {
        let checkpoint = state.checkpoint(nested: parent != nil)
        if r.transfers {
            guard try state.transfer(from: r.caller, to: r.target, value: r.value) else {
                return .immediate(ChildOutcome(end: .revert([]), gasLeft: r.gas, refund: 0))
            }
        }
        if let precompile = Precompile(address: r.codeAddress, fork: fork) {
            let result = try precompile.run(r.input, gas: r.gas)
            switch result {
            case .success(let used, let out):
                return .immediate(ChildOutcome(end: .success(out), gasLeft: r.gas - used, refund: 0))
            case .failure:
                state.revert(to: checkpoint)
                return .immediate(ChildOutcome(end: .halt(.outOfGas), gasLeft: 0, refund: 0))
            }
        }
        let acct = try state.account(r.codeAddress)
        let code = try state.code(r.codeAddress)
        if code.isEmpty {
            return .immediate(ChildOutcome(end: .success([]), gasLeft: r.gas, refund: 0))
        }
        let table = JumpTableCache.shared.table(for: acct.info.codeHash, code: code)
        return .frame(
            Frame(
                kind: .call, code: code, jumpTable: table, address: r.target, caller: r.caller, value: r.value,
                input: r.input, isStatic: r.isStatic, depth: (parent?.depth ?? -1) + 1, gas: r.gas,
                checkpoint: checkpoint))
    }

    // MARK: Creates

    func prepareCreate(_ f: Frame, _ op: UInt8, _ gas: inout Int64, _ sp: inout Int) throws -> FrameAction? {
        if f.isStatic { return .done(.halt(.staticViolation)) }
        let st = f.stack
        let value = st[sp - 1], offset = st[sp - 2], size = st[sp - 3]
        var salt: UInt256? = nil
        if op == 0xF5 {
            salt = st[sp - 4]
            sp -= 4
        } else {
            sp -= 3
        }
        guard f.memory.expand(offset, size, &gas) else { return .done(.halt(.outOfGas)) }
        let n = smallInt(size)!
        if fork >= .shanghai {
            if n > Machine.maxInitcodeSize { return .done(.halt(.initcodeSizeLimit)) }
            gas -= 2 * Int64((n + 31) / 32)
        }
        if salt != nil { gas -= 6 * Int64((n + 31) / 32) }
        if gas < 0 { return .done(.halt(.outOfGas)) }
        f.returnData = []
        let creator = try state.account(f.address)
        if f.depth >= Machine.maxDepth || creator.info.balance < value || creator.info.nonce == UInt64.max {
            st[sp] = .zero
            sp += 1
            return nil
        }
        let childGas = fork >= .tangerineWhistle ? gas - gas / 64 : gas
        gas -= childGas
        let initcode = f.memory.bytes(n == 0 ? 0 : smallInt(offset)!, n)
        return .create(CreateRequest(caller: f.address, value: value, initcode: initcode, salt: salt, gas: childGas))
    }

    /// Enters a create: nonce bump, address, EIP-2929 warm mark (kept even if
    /// the create fails), collision check, checkpoint, new account, transfer.
    func startCreate(_ r: CreateRequest, depth: Int) throws -> Start {
        let creator = try state.account(r.caller)
        let nonce = creator.info.nonce
        try state.setNonce(r.caller, nonce + 1)
        let address: Address
        if let salt = r.salt {
            address = computeCreate2Address(r.caller, salt: salt, initcode: r.initcode)
        } else {
            address = computeCreateAddress(r.caller, nonce: nonce)
        }
        return try enterCreate(r, address: address, depth: depth)
    }

    /// The part of a create after the address is known (shared with
    /// creation transactions, whose nonce bump happened at purchase).
    func enterCreate(_ r: CreateRequest, address: Address, depth: Int) throws -> Start {
        if fork >= .berlin { state.warmAccount(address) }
        // EIP-684 / EIP-7610: an address with a nonce, code or storage cannot
        // be created onto (storage as far as the backend can tell).
        let target = try state.account(address)
        let hasStorage = !target.storageCleared && target.existedBefore ? try state.backend.hasStorage(address) : false
        if target.info.nonce != 0 || target.info.codeHash != EmptyHashes.code || hasStorage {
            return .immediate(ChildOutcome(end: .halt(.createCollision), gasLeft: 0, refund: 0))
        }
        let checkpoint = state.checkpoint(nested: depth > 0)
        try state.markCreated(address)
        guard try state.transfer(from: r.caller, to: address, value: r.value) else {
            state.revert(to: checkpoint)
            return .immediate(ChildOutcome(end: .revert([]), gasLeft: r.gas, refund: 0))
        }
        let frame = Frame(
            kind: .create(address), code: r.initcode, jumpTable: JumpTable(code: r.initcode), address: address,
            caller: r.caller, value: r.value, input: [], isStatic: false, depth: depth, gas: r.gas,
            checkpoint: checkpoint)
        return .frame(frame)
    }

    // MARK: SELFDESTRUCT

    /// Moves the whole balance to the beneficiary; from Cancun (EIP-6780) the
    /// account is deleted only when created in this transaction (then a
    /// beneficiary equal to itself burns the balance).
    func selfDestruct(_ f: Frame, _ beneficiary: Address, _ gas: inout Int64) throws -> FrameAction {
        var cost: Int64 = 0
        if fork >= .berlin && state.warmAccount(beneficiary) { cost += 2600 }
        let me = try state.account(f.address)
        let balance = me.info.balance
        if fork >= .tangerineWhistle {
            let b = try state.account(beneficiary)
            let isNew = fork >= .spuriousDragon ? (b.info.isEmpty && !balance.isZero) : !state.exists(b)
            if isNew { cost += 25000 }
        }
        gas -= cost
        if gas < 0 { return .done(.halt(.outOfGas)) }
        if fork < .london && !me.selfDestructed { f.refund += 24000 }
        _ = try state.transfer(from: f.address, to: beneficiary, value: balance)
        if fork < .cancun || me.created {
            try state.setBalance(f.address, .zero)
            try state.markSelfDestructed(f.address)
        }
        return .done(.success([]))
    }
}
