/// Finds the one malformed TOML construct that TOMLKit 0.6 cannot be given:
/// a table header whose key starts with a character no key starts with
/// (`[.a]`, `[[[1]]]`, `[[=`, `[{`).
///
/// TOMLKit parses with the toml++ 3 it bundles, whose `parse_table_header`
/// calls `parse_key` on such a character and `parse_key` asserts it away
/// (`TOML_ASSERT_ASSUME`): an abort in debug builds, undefined behaviour
/// under NDEBUG, where the assertion becomes an optimizer assumption (found
/// by the config fuzz target; fixed upstream in marzer/tomlplusplus#301,
/// which no TOMLKit release bundles yet). `TopologyConfig.parse` runs this
/// check first and reports such a header as a syntax error.
///
/// The scan follows TOML's statement structure only as far as it must to
/// find table headers: a `[` that opens a line outside any value. It skips
/// comments and every string form (basic and literal, single- and
/// multi-line), and counts the brackets and braces of array and inline-table
/// values so that a nested array on a line of its own (`[{ a = 1 }],`) is not
/// taken for a header. It never rejects valid TOML: in a valid document every
/// header's key starts with a bare-key character or a quote. Other malformed
/// input passes through to TOMLKit, which reports it.
enum TableHeaderCheck {
    /// A malformed header's position (1-based, as TOMLKit reports syntax errors) and what is wrong.
    struct Problem: Equatable {
        let line: Int
        let column: Int
        let message: String
    }

    static func firstProblem(in text: String) -> Problem? {
        let bytes = Array(text.utf8)
        var index = 0
        var line = 1
        var lineStart = 0
        var depth = 0                 // open [ and { of the value being read
        var statementStart = true     // nothing but whitespace since the last line break outside values

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = index + 1
                if depth == 0 { statementStart = true }
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard let end = endOfString(bytes, at: index, lines: &line, lineStart: &lineStart) else { return nil }
                index = end
                statementStart = false
            case UInt8(ascii: "[") where depth == 0 && statementStart:
                if let column = badKeyColumn(bytes, afterBracketAt: index, lineStart: lineStart) {
                    return Problem(line: line, column: column,
                                   message: "a table header's key must start with a letter, digit, '_', '-' or a quote")
                }
                // The rest of the header to the end of its line: a quoted key may hold brackets.
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") && bytes[index] != UInt8(ascii: "#") {
                    if bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                        guard let end = endOfString(bytes, at: index, lines: &line, lineStart: &lineStart) else { return nil }
                        index = end
                    } else {
                        index += 1
                    }
                }
                statementStart = false
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                statementStart = false
                index += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
                statementStart = false
                index += 1
            default:
                statementStart = false
                index += 1
            }
        }
        return nil
    }

    /// The 1-based column of the character where toml++ would start reading
    /// the key of the header whose `[` is at `open`, when no key starts with
    /// it; nil when the header is fine or toml++ reports it itself (a blank
    /// key, `[ [`, an end of input).
    private static func badKeyColumn(_ bytes: [UInt8], afterBracketAt open: Int, lineStart: Int) -> Int? {
        var index = open + 1
        let whitespace = skipWhitespace(bytes, &index)
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "[") {
            if whitespace { return nil }
            index += 1
            _ = skipWhitespace(bytes, &index)
            guard index < bytes.count else { return nil }
        }
        let first = bytes[index]
        if first == UInt8(ascii: "]") || isKeyStart(first) { return nil }
        return index - lineStart + 1
    }

    private static func skipWhitespace(_ bytes: [UInt8], _ index: inout Int) -> Bool {
        let start = index
        while index < bytes.count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) { index += 1 }
        return index > start
    }

    private static func isKeyStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            true
        default:
            false
        }
    }

    /// The index just past the string that opens at `start`, counting the line
    /// breaks of a multi-line one; nil for an unterminated string (the scan
    /// stops there, and TOMLKit reports it).
    private static func endOfString(_ bytes: [UInt8], at start: Int, lines: inout Int, lineStart: inout Int) -> Int? {
        let quote = bytes[start]
        let basic = quote == UInt8(ascii: "\"")
        let multiLine = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        var index = start + (multiLine ? 3 : 1)
        while index < bytes.count {
            let byte = bytes[index]
            if basic && byte == UInt8(ascii: "\\") {
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") {
                    lines += 1
                    lineStart = index + 2
                }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\n") {
                guard multiLine else { return nil }
                lines += 1
                lineStart = index + 1
            }
            if byte == quote {
                guard multiLine else { return index + 1 }
                if index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote {
                    // Up to two more quotes close the string as content ("""a""""").
                    var end = index + 3
                    while end < bytes.count && end < index + 5 && bytes[end] == quote { end += 1 }
                    return end
                }
            }
            index += 1
        }
        return nil
    }
}
