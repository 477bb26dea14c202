/// A 32-byte digest (Keccak-256, SHA3-256, SHA-256), held inline.
///
/// The bytes are stored in digest order in four machine words, so that a
/// buffer of `Digest32` is exactly the `uint8_t (*)[32]` array the C kernels
/// fill (a homogeneous tuple has its elements in order with no padding), and
/// equality compares four words instead of 32 bytes.
public struct Digest32: Hashable, Sendable, CustomStringConvertible {
    /// The digest bytes in order, as raw memory; read through `withUnsafeBytes`.
    var storage: (UInt64, UInt64, UInt64, UInt64)

    /// The size of a digest in bytes.
    public static let byteCount = 32

    /// The all-zero value, a placeholder for buffers about to be filled.
    public static let zero = Digest32(storage: (0, 0, 0, 0))

    init(storage: (UInt64, UInt64, UInt64, UInt64)) { self.storage = storage }

    /// A digest from exactly 32 bytes; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var value = Digest32.zero
        withUnsafeMutableBytes(of: &value.storage) { raw in
            for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
        }
        self = value
    }

    /// A digest from 64 hexadecimal digits (either case); nil otherwise.
    public init?(hex: some StringProtocol) {
        guard let bytes = try? Hex.decode(hex), let digest = Digest32(bytes: bytes) else { return nil }
        self = digest
    }

    /// Calls `body` with the 32 digest bytes.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var copy = storage
        return try Swift.withUnsafeBytes(of: &copy) { raw throws(E) in try body(raw) }
    }

    /// The digest bytes as an array.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lowercase hexadecimal, 64 digits.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    public var description: String { hex }

    public static func == (lhs: Digest32, rhs: Digest32) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
            && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }
}
