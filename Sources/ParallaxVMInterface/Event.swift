/// A 32-byte word of an event (its emitter and topics), four big-endian
/// 64-bit words like `StateKey`.
@frozen
public struct EventWord: Hashable, Sendable, CustomStringConvertible {
    /// The four 64-bit words of the value, most significant first (`description` prints them as 64 hex digits).
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// A word from its four 64-bit parts, most significant first.
    @inlinable
    public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// A number as a word (in the low eight bytes).
    @inlinable
    public init(_ value: UInt64) { self.init(0, 0, 0, value) }

    /// The all-zero word: the emitter of the built-in contracts' events.
    public static let zero = EventWord(0, 0, 0, 0)

    public var description: String { hexString(words: [w0, w1, w2, w3]) }
}

/// An event (log) a transaction emits; dropped unless the transaction succeeds.
public struct Event: Hashable, Sendable {
    /// Who emitted it: an EVM contract's address; zero for the built-in contracts.
    public var emitter: EventWord
    /// At most four topics (the EVM's `LOG0`...`LOG4`).
    public var topics: [EventWord]
    /// The event's payload bytes.
    public var data: [UInt8]

    /// An event from `emitter` with `topics` (at most four) and `data`.
    public init(emitter: EventWord = .zero, topics: [EventWord], data: [UInt8]) {
        self.emitter = emitter
        self.topics = topics
        self.data = data
    }

    /// The built-in contracts' event: one numeric topic.
    public init(topic: UInt64, data: [UInt8]) {
        self.init(topics: [EventWord(topic)], data: data)
    }
}
