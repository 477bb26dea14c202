// The state-test report: one JSON object per vector and a summary object
// (`--json`), or each failure in words. Either way the last line is
// "N passed, M failed" (", K skipped" when K > 0), which CI scripts read.
//
// Lines are buffered and written in large chunks: a full run prints 20,000
// lines. Errors about unreadable files go to standard error at once.

import Foundation
import ParallaxEthereum

final class ReportWriter {
    let json: Bool
    private var buffer: [UInt8] = []

    init(json: Bool) {
        self.json = json
        buffer.reserveCapacity(1 << 16)
    }

    deinit { flush() }

    func vector(_ r: VectorReport) {
        if json {
            let e = r.entry
            var line = "{\"file\":\(Self.quote(r.file)),\"test\":\(Self.quote(r.test)),\"fork\":\(Self.quote(r.fork)),"
            line += "\"index\":{\"data\":\(e.dataIndex),\"gas\":\(e.gasIndex),\"value\":\(e.valueIndex)},"
            line += "\"pass\":\(r.verdict == .pass),"
            if r.verdict == .skip { line += "\"skipped\":true," }
            line += "\"expected_root\":\"\(e.hash)\",\"actual_root\":\(Self.quote(r.actualRoot)),"
            line += "\"expected_logs\":\"\(e.logs)\",\"actual_logs\":\(Self.quote(r.actualLogs)),"
            line += "\"error\":\(r.error.map(Self.quote) ?? "null")"
            if let post = r.post { line += ",\"post_state\":" + Self.alloc(post) }
            write(line + "}")
        } else if r.verdict == .fail {
            let e = r.entry
            var text = "FAIL \(r.file) \(r.test) [\(r.fork) data \(e.dataIndex) gas \(e.gasIndex) value \(e.valueIndex)]\n"
            text += "  expected root \(e.hash), actual \(r.actualRoot.map { "\($0)" } ?? "none")\n"
            if r.actualLogs != e.logs {
                text += "  expected logs \(e.logs), actual \(r.actualLogs.map { "\($0)" } ?? "none")\n"
            }
            if let expected = e.expectException { text += "  expected exception: \(expected)\n" }
            text += "  error: \(r.error ?? "none")"
            write(text)
        }
    }

    func summary(passed: Int, failed: Int, skipped: Int, seconds: Double, skipReasons: [String: Int]) {
        if json {
            write("{\"passed\":\(passed),\"failed\":\(failed),\"skipped\":\(skipped),\"seconds\":\((seconds * 1000).rounded() / 1000)}")
        } else {
            for (reason, count) in skipReasons.sorted(by: { $0.value > $1.value }) {
                write("skipped \(count): \(reason)")
            }
        }
        write("\(passed) passed, \(failed) failed" + (skipped > 0 ? ", \(skipped) skipped" : ""))
        flush()
    }

    func error(_ message: String) {
        flush()
        FileHandle.standardError.write(Data("parallax-evm: \(message)\n".utf8))
    }

    private func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// A state as t8n writes an alloc: accounts by address, in address order,
    /// quantities as minimal hex, only non-zero slots.
    static func alloc(_ state: WorldState) -> String {
        let accounts = state.accounts.sorted { $0.key < $1.key }.map { address, a in
            let slots = a.storage.filter { !$0.value.isZero }.sorted { $0.key < $1.key }
                .map { "\"\($0.key)\":\"\($0.value)\"" }
            return "\"\(address)\":{\"nonce\":\"\(UInt256(a.nonce))\",\"balance\":\"\(a.balance)\","
                + "\"code\":\"\(Hex.encode(a.code))\",\"storage\":{\(slots.joined(separator: ","))}}"
        }
        return "{" + accounts.joined(separator: ",") + "}"
    }

    private static func quote(_ hash: Bytes32?) -> String {
        hash.map { "\"\($0)\"" } ?? "null"
    }

    /// A JSON string literal (RFC 8259 escapes).
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
