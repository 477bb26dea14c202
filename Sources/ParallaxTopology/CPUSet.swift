/// A set of processing units (OS CPU numbers), written in the Linux cpulist
/// syntax both ways: `0-3,8,10-11`.
///
/// ## Representation
/// A bitmap of 64-bit words, bit `c % 64` of word `c / 64` for CPU `c`, with
/// no trailing zero words, so that equal sets have equal words (`==` and
/// hashing compare the words). Iteration is in ascending CPU order.
///
/// ## Syntax (as in `/sys/devices/system/cpu/online` and `taskset -c`)
/// A comma-separated list of items; an item is a CPU number (`8`) or an
/// inclusive range (`10-11`). Surrounding whitespace of the whole list (the
/// newline of a sysfs file) is ignored; the empty list is the empty set. The
/// kernel's stride form (`0-7:2`) is not accepted: it is rejected as
/// malformed rather than misread. Printing merges adjacent CPUs into ranges,
/// so printing then parsing gives the same set, and parsing then printing
/// gives the canonical form of the list.
public struct CPUSet: Hashable, Sendable, Sequence, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// CPU numbers must be below this (Linux' largest NR_CPUS is 8192).
    public static let limit: Int32 = 1 << 16

    @usableFromInline var words: [UInt64]

    /// The empty set.
    public init() { words = [] }

    /// The set of `pus`.
    public init<S: Sequence>(_ pus: S) where S.Element == PUIndex {
        words = []
        for pu in pus { insert(pu) }
    }

    public init(arrayLiteral elements: Int32...) {
        self.init(elements.map { PUIndex($0) })
    }

    /// Parses a cpulist. Errors quote the whole list and the offending item.
    public init(cpulist text: String) throws(CPUListError) {
        words = []
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { return }
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let itemText = String(item)
            guard !itemText.isEmpty else { throw CPUListError(text: text, item: itemText, reason: .emptyItem) }
            let bounds = itemText.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2 else { throw CPUListError(text: text, item: itemText, reason: .malformed) }
            let low = try Self.number(bounds[0], text: text, item: itemText)
            let high = bounds.count == 2 ? try Self.number(bounds[1], text: text, item: itemText) : low
            guard low <= high else { throw CPUListError(text: text, item: itemText, reason: .reversedRange) }
            for cpu in low...high { insert(PUIndex(cpu)) }
        }
    }

    private static func number(_ digits: Substring, text: String, item: String) throws(CPUListError) -> Int32 {
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw CPUListError(text: text, item: item, reason: .malformed)
        }
        guard digits.count <= 6, let value = Int32(digits), value < limit else {
            throw CPUListError(text: text, item: item, reason: .tooLarge(limit: limit))
        }
        return value
    }

    // MARK: Set operations

    /// Whether the set holds no CPU.
    public var isEmpty: Bool { words.isEmpty }
    /// The number of CPUs in the set.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
    /// The lowest CPU, if any.
    public var first: PUIndex? {
        var iterator = makeIterator()
        return iterator.next()
    }

    /// Whether `pu` is in the set.
    public func contains(_ pu: PUIndex) -> Bool {
        let word = Int(pu.rawValue) >> 6
        return pu.rawValue >= 0 && word < words.count && words[word] & (1 << UInt64(pu.rawValue & 63)) != 0
    }

    /// Adds `pu`.
    public mutating func insert(_ pu: PUIndex) {
        precondition(pu.rawValue >= 0 && pu.rawValue < Self.limit, "CPU \(pu.rawValue) outside 0..<\(Self.limit)")
        let word = Int(pu.rawValue) >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(pu.rawValue & 63)
    }

    /// Removes `pu`, if present.
    public mutating func remove(_ pu: PUIndex) {
        let word = Int(pu.rawValue) >> 6
        guard pu.rawValue >= 0, word < words.count else { return }
        words[word] &= ~(1 << UInt64(pu.rawValue & 63))
        normalize()
    }

    /// The CPUs in either set.
    public func union(_ other: CPUSet) -> CPUSet {
        var result = CPUSet()
        result.words = (0..<Swift.max(words.count, other.words.count)).map { word(at: $0) | other.word(at: $0) }
        return result
    }

    /// The CPUs in both sets.
    public func intersection(_ other: CPUSet) -> CPUSet {
        var result = CPUSet()
        result.words = (0..<Swift.min(words.count, other.words.count)).map { words[$0] & other.words[$0] }
        result.normalize()
        return result
    }

    /// The CPUs of this set that are not in `other`.
    public func subtracting(_ other: CPUSet) -> CPUSet {
        var result = CPUSet()
        result.words = words.indices.map { words[$0] & ~other.word(at: $0) }
        result.normalize()
        return result
    }

    /// Whether every CPU of this set is in `other`.
    public func isSubset(of other: CPUSet) -> Bool { subtracting(other).isEmpty }
    /// Whether the two sets share no CPU.
    public func isDisjoint(with other: CPUSet) -> Bool { intersection(other).isEmpty }

    private func word(at index: Int) -> UInt64 { index < words.count ? words[index] : 0 }

    private mutating func normalize() {
        while let last = words.last, last == 0 { words.removeLast() }
    }

    // MARK: Sequence

    public struct Iterator: IteratorProtocol {
        let words: [UInt64]
        var index = 0
        var remaining: UInt64

        init(_ words: [UInt64]) {
            self.words = words
            remaining = words.first ?? 0
        }

        public mutating func next() -> PUIndex? {
            while remaining == 0 {
                index += 1
                guard index < words.count else { return nil }
                remaining = words[index]
            }
            let bit = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return PUIndex(Int32(index * 64 + bit))
        }
    }

    public func makeIterator() -> Iterator { Iterator(words) }

    // MARK: Printing

    /// The canonical cpulist: ascending, adjacent CPUs merged into ranges.
    public var cpulist: String {
        var items: [String] = []
        var start: Int32 = -1
        var end: Int32 = -1
        func flush() {
            guard start >= 0 else { return }
            items.append(start == end ? "\(start)" : "\(start)-\(end)")
        }
        for pu in self {
            if pu.rawValue == end + 1 && start >= 0 {
                end = pu.rawValue
            } else {
                flush()
                start = pu.rawValue
                end = pu.rawValue
            }
        }
        flush()
        return items.joined(separator: ",")
    }

    public var description: String { cpulist }
}

/// A cpulist that could not be used. `description` quotes the whole list and
/// the offending item.
public struct CPUListError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the item.
    public enum Reason: Equatable, Sendable {
        /// Not a number or a `low-high` range of numbers.
        case malformed
        /// Two commas in a row, or a leading or trailing comma.
        case emptyItem
        /// `high` is below `low`.
        case reversedRange
        /// A CPU number at or beyond `CPUSet.limit`.
        case tooLarge(limit: Int32)
        /// The CPUs are valid numbers but the machine has no such PUs.
        case notPresent(missing: CPUSet, available: CPUSet)
    }

    /// The whole list as written.
    public let text: String
    /// The item of the list that is wrong (the whole list for `notPresent`).
    public let item: String
    /// What is wrong with it.
    public let reason: Reason

    /// An error about `item` of the list `text`.
    public init(text: String, item: String, reason: Reason) {
        self.text = text
        self.item = item
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .malformed:
            "malformed cpulist \"\(text)\": \"\(item)\" is neither a CPU number nor a range like 0-3"
        case .emptyItem:
            "malformed cpulist \"\(text)\": empty item (two commas in a row, or a comma at an end)"
        case .reversedRange:
            "malformed cpulist \"\(text)\": range \"\(item)\" is reversed (write low-high)"
        case .tooLarge(let limit):
            "cpulist \"\(text)\": CPU number in \"\(item)\" is not below \(limit)"
        case .notPresent(let missing, let available):
            "cpulist \"\(text)\": CPUs \(missing.cpulist) not present on this machine (it has CPUs \(available.cpulist))"
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
