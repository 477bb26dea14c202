/// Bounds a decoder enforces before it trusts any length in the input.
public struct EnvelopeLimits: Hashable, Sendable {
    /// The largest payload accepted, in bytes (at most `UInt32.max`, the
    /// width of the length field).
    public let maxPayloadBytes: Int

    /// 128 KiB: a contract call or deployment of ordinary size.
    public static let `default` = EnvelopeLimits(uncheckedMaxPayloadBytes: 128 * 1024)

    init(uncheckedMaxPayloadBytes: Int) { maxPayloadBytes = uncheckedMaxPayloadBytes }

    /// Limits with the given payload bound; nil when it is negative or does
    /// not fit the 32-bit length field.
    public init?(maxPayloadBytes: Int) {
        guard maxPayloadBytes >= 0, maxPayloadBytes <= Int(UInt32.max) else { return nil }
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// The longest valid envelope under these limits (the widest scheme).
    public var maxEnvelopeBytes: Int {
        let widest = SignatureScheme.allCases.map { TransactionEnvelope.fixedBytes(for: $0) }.max()!
        return widest + maxPayloadBytes
    }
}
