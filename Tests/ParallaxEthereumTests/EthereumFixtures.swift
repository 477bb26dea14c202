import Foundation

/// The ethereum/tests TrieTests and RLPTests vectors (Tests/Fixtures/TrieTests-RLPTests.tar.xz),
/// unpacked once per test process into a temporary directory.
enum EthereumFixtures {
    static let root: URL = {
        let archive = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/TrieTests-RLPTests.tar.xz")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("parallax-ethereum-fixtures-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: directory)
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xJf", archive.path, "-C", directory.path]
        try! tar.run()
        tar.waitUntilExit()
        precondition(tar.terminationStatus == 0, "tar failed on \(archive.path)")
        return directory
    }()

    /// The JSON object in `relativePath` under the unpacked archive.
    static func json(_ relativePath: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(relativePath))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError.notAnObject(relativePath)
        }
        return object
    }

    /// ethereum/tests' convention for trie keys and values: "0x..." is hex,
    /// anything else is the string's UTF-8.
    static func bytes(_ text: String) -> [UInt8] {
        text.hasPrefix("0x") ? Array(hexBytes(text)) : Array(text.utf8)
    }

    static func hexBytes(_ text: String) -> [UInt8] {
        var digits = Array(text.utf8)
        if digits.count >= 2, digits[0] == UInt8(ascii: "0"), digits[1] == UInt8(ascii: "x") { digits.removeFirst(2) }
        func value(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: preconditionFailure("not hex: \(text)")
            }
        }
        if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
        return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }
}

enum FixtureError: Error {
    case notAnObject(String)
    case unexpected(String)
}
