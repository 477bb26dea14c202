/// Many byte strings in one contiguous buffer: the input a `BatchHasher` takes
/// without touching the allocator per message.
///
/// Message `i` occupies `bytes[ends[i - 1] ..< ends[i]]` (with `ends[-1]` read
/// as 0). A block of encoded transactions, a file of test vectors or the lines
/// of the harness's input all arrive as a sequence of byte strings; appending
/// them here costs one copy, and `removeAll(keepingCapacity:)` lets the same
/// storage serve the next batch.
///
/// Invariant: `ends` is non-decreasing and its last element is `bytes.count`.
public struct PackedMessages: Sendable {
    /// The messages, one after another.
    public private(set) var bytes: [UInt8] = []
    /// Where each message ends in `bytes` (message `i` ends at `ends[i]`).
    public private(set) var ends: [Int] = []

    /// No messages.
    public init() {}

    /// Empty, with room for `messages` messages of `bytes` bytes in total.
    public init(reservingMessages messages: Int, bytes: Int) {
        self.bytes.reserveCapacity(bytes)
        ends.reserveCapacity(messages)
    }

    /// The messages of `collection`, in order.
    public init<C: Collection>(_ collection: C) where C.Element: Collection<UInt8> {
        ends.reserveCapacity(collection.count)
        for message in collection { append(message) }
    }

    /// The number of messages.
    public var count: Int { ends.count }
    /// Whether there are no messages.
    public var isEmpty: Bool { ends.isEmpty }

    /// The byte range of message `index` in `bytes`.
    public func range(of index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// The bytes of message `index`.
    public subscript(index: Int) -> ArraySlice<UInt8> { bytes[range(of: index)] }

    /// Appends `message` as the next message.
    public mutating func append(_ message: some Collection<UInt8>) {
        bytes.append(contentsOf: message)
        ends.append(bytes.count)
    }

    /// Appends the bytes of `message` as the next message.
    public mutating func append(_ message: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: message)
        ends.append(bytes.count)
    }

    /// Appends a message whose bytes `body` appends to the given array (for
    /// decoding text straight into the buffer); if `body` throws, nothing is
    /// appended.
    public mutating func append<E: Error>(writing body: (inout [UInt8]) throws(E) -> Void) throws(E) {
        let start = bytes.count
        do {
            try body(&bytes)
        } catch {
            bytes.removeSubrange(start...)
            throw error
        }
        ends.append(bytes.count)
    }

    /// Removes every message, keeping the storage for the next batch unless `keepingCapacity` is false.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        ends.removeAll(keepingCapacity: keepingCapacity)
    }

    #if DEBUG
    /// Checks the invariant above; for tests.
    public func _checkInvariants() {
        var previous = 0
        for end in ends {
            precondition(end >= previous, "PackedMessages: ends decrease")
            previous = end
        }
        precondition(previous == bytes.count, "PackedMessages: last end \(previous) != byte count \(bytes.count)")
    }
    #endif
}
