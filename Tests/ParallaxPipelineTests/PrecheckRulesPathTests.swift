import Parallax
import ParallaxWorkloads
import Testing

/// The pipeline's precheck is the precheck stage plus payload decoding: its
/// rules (gas-limit range, minimum fee, chain) reject by name, with the
/// envelope's hash, and the same envelopes pass with the permissive default.
@Suite struct PrecheckRulesPathTests {
    @Test(arguments: [1, 3])
    func rulesRejectByNameAndKeepTheHash(threads: Int) throws {
        let fixture = try SignedERC20(accounts: 6, seed: 9)
        let transactions = fixture.workload.block(1, transactions: 6).map { $0 as! TokenTransaction }
        var block = PackedMessages()
        // Envelope 1: gas limit below the range; 3: fee below the minimum; the others keep the rules.
        for (index, transaction) in transactions.enumerated() {
            block.append(fixture.signer.envelope(transaction, nonce: 0, gasLimit: index == 1 ? 500 : 60_000,
                                                 fee: index == 3 ? 1 : 5))
        }
        let strict = PrecheckRules(chainID: fixture.signer.chainID, gasLimits: GasLimit(21_000)...GasLimit(1_000_000),
                                   minimumFee: Fee(2))
        let outcomes = try SignedEnvelopePrecheck(decoder: fixture.signer.decoder, rules: strict, threads: threads).precheck(block)
        #expect(outcomes.count == transactions.count)
        for (position, outcome) in outcomes.enumerated() {
            switch (position, outcome) {
            case (1, .rejected(let rejection)):
                #expect(rejection.reason == .gasLimitOutOfRange(GasLimit(500), allowed: GasLimit(21_000)...GasLimit(1_000_000)))
                #expect(rejection.reason.code == "gas-limit-out-of-range")
                #expect(rejection.hash != nil)
            case (3, .rejected(let rejection)):
                #expect(rejection.reason == .feeBelowMinimum(Fee(1), minimum: Fee(2)))
                #expect(rejection.hash != nil)
            case (let position, .verified(let admitted)) where position != 1 && position != 3:
                #expect(admitted.position == position)
            default:
                Issue.record("envelope \(position): \(outcome)")
            }
        }
        let permissive = try SignedEnvelopePrecheck(decoder: fixture.signer.decoder, chainID: fixture.signer.chainID, threads: threads)
        #expect(permissive.precheck(block).allSatisfy { if case .verified = $0 { true } else { false } })
        let otherChain = try SignedEnvelopePrecheck(decoder: fixture.signer.decoder, chainID: ChainID(99), threads: threads)
        for outcome in otherChain.precheck(block) {
            guard case .rejected(let rejection) = outcome else { Issue.record("admitted for another chain"); continue }
            #expect(rejection.reason == .wrongChain(expected: ChainID(99), given: fixture.signer.chainID))
        }
    }
}
