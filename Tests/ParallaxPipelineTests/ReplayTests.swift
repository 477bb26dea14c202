import Foundation
import Parallax
import ParallaxPrecheck
import ParallaxWorkloads
import Synchronization
import XCTest

/// What a sender signs is what executes, once: random erc20 blocks with
/// replays (same block and earlier blocks), swapped nonces, gaps, low nonces,
/// and random signed fees and gas limits, through the pipeline on every
/// executor and both stores, against a model that applies each signed
/// envelope at most once with its signed gas limit and fee.
final class ReplayTests: XCTestCase {
    let chain = ChainID(3)
    let accounts = 6
    let token: UInt64 = 0

    /// The model's view of one account.
    struct ModelAccount: Equatable {
        var native: UInt64
        var tokens: UInt64
        var nonce: UInt64
    }

    /// What the model expects of one envelope.
    enum Expected: Equatable {
        case included(TransactionStatus, gasUsed: UInt64, fee: UInt64)
        case rejected(NonceRejection)
    }

    /// Sequential semantics written out: the nonce rule (`SenderNonce`), the
    /// token contract's transfer with the built-in gas schedule, and the fee
    /// `gasUsed * fee` debited from the sender's native balance (saturating).
    struct Model {
        var accounts: [ModelAccount]

        mutating func apply(sender: Int, to: Int, amount: UInt64, nonce: UInt64, gasLimit: UInt64, fee: UInt64) -> Expected {
            let stored = accounts[sender].nonce
            if nonce < stored { return .rejected(.tooLow(expected: stored, given: nonce)) }
            if nonce > stored { return .rejected(.gap(expected: stored, given: nonce)) }
            accounts[sender].nonce += 1
            let schedule = GasSchedule.builtIn
            var used: UInt64 = 0
            func charge(_ gas: UInt64) -> Bool {
                guard gas <= gasLimit - used else {
                    used = gasLimit
                    return false
                }
                used += gas
                return true
            }
            let word = schedule.write + 8 * schedule.perByte
            var status = TransactionStatus.outOfGas
            if charge(schedule.intrinsic), charge(TokenTransaction.logicGas), charge(schedule.read) {
                let balance = accounts[sender].tokens
                if balance < amount {
                    status = .reverted(reason: TokenTransaction.Failure.insufficientBalance(Account(UInt64(sender)), have: balance,
                                                                                            need: amount).description)
                } else if charge(word), charge(schedule.read), charge(word), charge(schedule.event + 24 * schedule.perByte) {
                    accounts[sender].tokens -= amount
                    accounts[to].tokens += amount
                    status = .success
                }
            }
            let charged = used * fee
            accounts[sender].native -= min(accounts[sender].native, charged)
            return .included(status, gasUsed: used, fee: charged)
        }
    }

    /// One random scenario: the blocks, the genesis and the model's verdicts.
    struct Scenario {
        var blocks: [[[UInt8]]] = []
        var expected: [[Expected]] = []
        var genesis: InMemoryState
        var final: Model
        var replays = 0
        var reorders = 0
    }

    func scenario(seed: UInt64, signer: ERC20Signer) -> Scenario {
        var generator = SplitMix64(seed: seed)
        var entries: [StateKey: StateValue] = [:]
        var model = Model(accounts: [])
        for account in 0..<accounts {
            // Some senders cannot pay the whole fee: the debit saturates.
            let native = generator.chance(0.3) ? generator.next() % 20_000 : 1_000_000_000
            let tokens = generator.next() % 6_000
            entries[NativeToken.balanceKey(Account(UInt64(account)))] = StateValue(uint64: native)
            entries[TokenLayout.balanceKey(token: token, Account(UInt64(account)))] = StateValue(uint64: tokens)
            model.accounts.append(ModelAccount(native: native, tokens: tokens, nonce: 0))
        }
        var result = Scenario(genesis: InMemoryState(entries), final: model)
        /// Every envelope signed so far, with what it does.
        var signed: [(bytes: [UInt8], sender: Int, to: Int, amount: UInt64, nonce: UInt64, gasLimit: UInt64, fee: UInt64)] = []
        /// Envelopes signed ahead of their turn (the later half of a swap), sent again later.
        var held: [Int] = []
        for _ in 0..<8 {
            var block: [[UInt8]] = []
            var verdicts: [Expected] = []
            func send(_ index: Int) {
                let envelope = signed[index]
                block.append(envelope.bytes)
                verdicts.append(model.apply(sender: envelope.sender, to: envelope.to, amount: envelope.amount, nonce: envelope.nonce,
                                            gasLimit: envelope.gasLimit, fee: envelope.fee))
            }
            func sign(sender: Int, nonce: UInt64) -> Int {
                let to = Int(generator.next() % UInt64(accounts))
                let amount = generator.next() % 3_000
                // Mostly the usual limit; else one that runs out before, during or after the transfer.
                let gasLimit = generator.chance(0.6) ? 60_000 : 500 + generator.next() % 2_000
                let fee = generator.next() % 51
                let call = TokenTransaction(token: token, sender: Account(UInt64(sender)), call: .transfer(to: Account(UInt64(to)), amount: amount))
                signed.append((signer.envelope(call, nonce: nonce, gasLimit: gasLimit, fee: fee), sender, to, amount, nonce, gasLimit, fee))
                return signed.count - 1
            }
            for _ in 0..<(1 + generator.next() % 30) {
                let sender = Int(generator.next() % UInt64(accounts))
                let next = model.accounts[sender].nonce
                switch generator.next() % 20 {
                case 0..<3 where !signed.isEmpty:
                    // An exact copy of an envelope sent before, in this block or an earlier one.
                    result.replays += 1
                    send(Int(generator.next() % UInt64(signed.count)))
                case 3..<5:
                    // Two nonces in swapped order: the later one is refused (a gap), then sent again afterwards.
                    result.reorders += 1
                    let later = sign(sender: sender, nonce: next + 1)
                    send(later)
                    send(sign(sender: sender, nonce: next))
                    held.append(later)
                case 5:
                    send(sign(sender: sender, nonce: next + 2 + generator.next() % 3))
                case 6 where next > 0:
                    // Newly signed, with a nonce already spent.
                    send(sign(sender: sender, nonce: generator.next() % next))
                case 7 where !held.isEmpty:
                    send(held.removeFirst())
                default:
                    send(sign(sender: sender, nonce: next))
                }
            }
            result.blocks.append(block)
            result.expected.append(verdicts)
        }
        result.final = model
        return result
    }

    func testEveryExecutorAndStoreAppliesEachSignedEnvelopeAtMostOnceWithItsSignedFee() throws {
        let seedBase = UInt64.random(in: 0...UInt64.max >> 8)
        let signer = ERC20Signer(accounts: accounts, chainID: chain)
        let path = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                               appropriateFor: URL(fileURLWithPath: NSTemporaryDirectory()), create: true).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var outcomes: [String: Int] = [:]
        var lmdbRuns = 0
        for round in 0..<6 {
            let seed = seedBase &+ UInt64(round)
            let scenario = scenario(seed: seed, signer: signer)
            for verdict in scenario.expected.joined() {
                let kind = switch verdict {
                case .included(.success, _, _): "success"
                case .included(.reverted, _, _): "reverted"
                case .included(.outOfGas, _, _): "out of gas"
                case .included: "other"
                case .rejected(let rejection): rejection.rejectionReason.code
                }
                outcomes[kind, default: 0] += 1
            }
            outcomes["replayed", default: 0] += scenario.replays
            outcomes["swapped", default: 0] += scenario.reorders
            try check(scenario, seed: seed, signer: signer, path: path, lmdbRuns: &lmdbRuns)
        }
        for kind in ["success", "reverted", "out of gas", "nonce-too-low", "nonce-gap", "replayed", "swapped"] {
            XCTAssertGreaterThan(outcomes[kind] ?? 0, 0, "seeds \(seedBase)...: no \(kind) in \(outcomes)")
        }
    }

    /// Runs `scenario` through the pipeline on every executor and store and
    /// compares each envelope's outcome and the final accounts with the model.
    func check(_ scenario: Scenario, seed: UInt64, signer: ERC20Signer, path: String, lmdbRuns: inout Int) throws {
        let executors: [(String, () throws -> any BlockExecutor)] = [
            ("parallel", { try ParallelExecutor(threads: 2) }),
            ("sequential", { SequentialExecutor() }),
            ("declared", { try DeclaredAccessExecutor(threads: 2) }),
        ]
        for (executorName, makeExecutor) in executors {
            for storeName in ["memory", "lmdb"] {
                let name = "seed \(seed), \(executorName), \(storeName)"
                let store: any StateStore
                if storeName == "memory" {
                    store = InMemoryStateStore(genesis: scenario.genesis)
                } else {
                    lmdbRuns += 1
                    let directory = path + "/\(lmdbRuns)"
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
                    store = try LMDBStateStore(path: directory, genesis: scenario.genesis, durable: false)
                }
                let committed = Mutex<[CommittedBlock]>([])
                let pipeline = try BlockPipeline(store: store, precheck: try SignedEnvelopePrecheck(decoder: signer.decoder, chainID: chain),
                                                 executor: try makeExecutor()) { block in committed.withLock { $0.append(block) } }
                for block in scenario.blocks { try pipeline.submit(PackedMessages(envelopes: block)) }
                try pipeline.finish()
                let blocks = committed.withLock { $0 }
                XCTAssertEqual(blocks.count, scenario.blocks.count, name)
                for (number, (block, expected)) in zip(blocks, scenario.expected).enumerated() {
                    var actual = [Expected?](repeating: nil, count: expected.count)
                    for transaction in block.included {
                        actual[transaction.position] = .included(transaction.output.status, gasUsed: transaction.output.gasUsed,
                                                                 fee: transaction.output.fee)
                    }
                    for rejection in block.rejected {
                        guard case .execution(let reason) = rejection.reason else {
                            XCTFail("\(name): block \(number) position \(rejection.position) rejected by precheck: \(rejection.reason)")
                            continue
                        }
                        let nonce: NonceRejection? = switch expected[rejection.position] {
                        case .rejected(let nonce) where nonce.rejectionReason == reason: nonce
                        default: nil
                        }
                        XCTAssertNotNil(nonce, "\(name): block \(number) position \(rejection.position): \(reason)")
                        actual[rejection.position] = nonce.map { .rejected($0) }
                    }
                    for position in expected.indices where actual[position] != expected[position] {
                        XCTFail("\(name): block \(number) position \(position): \(String(describing: actual[position])), model \(expected[position])")
                        return
                    }
                }
                for (index, account) in scenario.final.accounts.enumerated() {
                    let nonceKey = AuthorizedTransaction.nonceKey(of: SenderKey(signer.keys[index].publicKey))
                    let stored = ModelAccount(native: store.read(NativeToken.balanceKey(Account(UInt64(index))))?.uint64Value ?? 0,
                                              tokens: store.read(TokenLayout.balanceKey(token: token, Account(UInt64(index))))?.uint64Value ?? 0,
                                              nonce: store.read(nonceKey)?.uint64Value ?? 0)
                    XCTAssertEqual(stored, account, "\(name): account \(index)")
                }
            }
        }
    }

    /// The nonce key is SHA-256 of the tag "pxnonce1" and the key bytes, for
    /// both schemes (a 33-byte secp256k1 key too), computed without the batch
    /// hasher; distinct keys get distinct counters.
    func testTheNonceKeyIsTheTaggedSHA256OfTheSenderKey() throws {
        let ed25519 = Ed25519SigningKey(number: 5).publicKey
        let secp256k1 = try PublicKey(scheme: .secp256k1, bytes: [0x02] + [UInt8](repeating: 0xAB, count: 32))
        for key in [ed25519, secp256k1] {
            let digest = BatchHasher.digest(.sha256, of: Array("pxnonce1".utf8) + key.bytes)
            XCTAssertEqual(AuthorizedTransaction.nonceKey(of: SenderKey(key)), try StateKey(bytes: digest.bytes), "\(key.scheme)")
        }
        XCTAssertNotEqual(AuthorizedTransaction.nonceKey(of: SenderKey(ed25519)),
                          AuthorizedTransaction.nonceKey(of: SenderKey(Ed25519SigningKey(number: 6).publicKey)))
    }

    /// The attack of issue 22, spelled out: a transfer seen once is submitted
    /// again in its own block and in the next one; it moves tokens once, the
    /// victim pays one fee, at the signed price, for the signed limit's use.
    func testACapturedTransferMovesTokensOnceAndPaysTheSignedFeeOnce() throws {
        let signer = ERC20Signer(accounts: 2, chainID: chain)
        let victim = Account(0), thief = Account(1)
        let genesis = InMemoryState([
            NativeToken.balanceKey(victim): StateValue(uint64: 1_000_000),
            TokenLayout.balanceKey(token: token, victim): StateValue(uint64: 1_000),
        ])
        let transfer = signer.envelope(TokenTransaction(token: token, sender: victim, call: .transfer(to: thief, amount: 100)),
                                       nonce: 0, gasLimit: 25_000, fee: 50)
        let store = InMemoryStateStore(genesis: genesis)
        let committed = try BlockPipeline.run([PackedMessages(envelopes: [transfer, transfer]), PackedMessages(envelopes: [transfer])],
                                              store: store, decoder: signer.decoder, chainID: chain)
        XCTAssertEqual(committed[0].included.map(\.position), [0])
        let spent = NonceRejection.tooLow(expected: 1, given: 0).rejectionReason
        XCTAssertEqual(committed[0].rejected.map(\.reason), [.execution(spent)])
        XCTAssertEqual(committed[0].rejected.map(\.position), [1])
        XCTAssertEqual(committed[1].included, [])
        XCTAssertEqual(committed[1].rejected.map(\.reason), [.execution(spent)])
        XCTAssertEqual(committed[1].rejected[0].reason.code, "nonce-too-low")
        let output = committed[0].included[0].output
        XCTAssertEqual(output.status, .success)
        XCTAssertEqual(output.fee, output.gasUsed * 50, "the signed fee per gas, not the contract's 1")
        XCTAssertEqual(store.read(TokenLayout.balanceKey(token: token, thief))?.uint64Value, 100)
        XCTAssertEqual(store.read(NativeToken.balanceKey(victim))?.uint64Value, 1_000_000 - output.fee)

        // The signed limit binds: 1,500 gas ends the same transfer before the
        // credit, and the victim pays exactly 1,500 * 50.
        let tight = signer.envelope(TokenTransaction(token: token, sender: victim, call: .transfer(to: thief, amount: 100)),
                                    nonce: 1, gasLimit: 1_500, fee: 50)
        let next = try BlockPipeline.run([PackedMessages(envelopes: [tight])], store: store, decoder: signer.decoder, chainID: chain)
        XCTAssertEqual(next[0].included.map(\.output.status), [.outOfGas])
        XCTAssertEqual(next[0].included.map(\.output.fee), [1_500 * 50])
        XCTAssertEqual(store.read(TokenLayout.balanceKey(token: token, thief))?.uint64Value, 100)
    }
}
