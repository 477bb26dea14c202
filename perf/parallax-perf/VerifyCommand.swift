import ArgumentParser
import ParallaxPrecheck
#if canImport(Glibc)
import Glibc
#endif

/// `parallax-perf verify --scheme ed25519|secp256k1`: reads one signature per
/// stdin line and prints `ok` or `bad` per line, in input order.
///
/// Line formats (hex, fields separated by spaces or tabs):
///   ed25519:   PUBKEY(32 B) SIGNATURE(64 B) MESSAGE(any length; may be omitted when empty)
///   secp256k1: PUBKEY(33 or 65 B) SIGNATURE(64 B r||s) MESSAGE_HASH(32 B)
/// Ed25519 lines go through `Ed25519BatchVerifier` in groups of `--batch`.
/// A malformed line (wrong field count, odd length or non-hex digits, wrong
/// lengths) prints `bad` so that output lines stay aligned with input lines,
/// and a message naming the line number on stderr; the exit status is then 1.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify signatures read from stdin: prints ok or bad per line."
    )

    @Option(help: "ed25519 or secp256k1.") var scheme: String = "ed25519"
    @Option(help: "Ed25519 signatures per batch verification.") var batch: Int = 256

    func validate() throws {
        guard scheme == "ed25519" || scheme == "secp256k1" else {
            throw ValidationError("--scheme must be ed25519 or secp256k1, not '\(scheme)'")
        }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        var malformed = 0
        var lineNumber = 0
        // Pending lines of the current batch: nil marks a malformed line.
        var pending: [Int?] = []
        var verifier = Ed25519BatchVerifier(reservingCapacity: batch)
        func flush() {
            let verdicts = verifier.verify()
            for slot in pending { print(slot.map { verdicts[$0].isValid ? "ok" : "bad" } ?? "bad") }
            pending.removeAll(keepingCapacity: true)
            verifier.removeAll()
        }
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            do {
                let fields = try parseLine(line)
                if scheme == "ed25519" {
                    try verifier.append(publicKey: fields[0], signature: fields[1], message: fields[2])
                    pending.append(verifier.count - 1)
                    if verifier.count == batch { flush() }
                } else {
                    print(try Secp256k1.verify(publicKey: fields[0], signature: fields[1], messageHash: fields[2]) ? "ok" : "bad")
                }
            } catch {
                malformed += 1
                printToStderr("verify: line \(lineNumber): \(error)")
                if scheme == "ed25519" { pending.append(nil) } else { print("bad") }
            }
        }
        flush()
        if malformed > 0 { throw ExitCode(1) }
    }

    struct LineError: Error, CustomStringConvertible {
        let description: String
    }

    /// Three byte strings; an absent third field is the empty message (Ed25519 only).
    func parseLine(_ line: String) throws -> [[UInt8]] {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        let allowEmptyMessage = scheme == "ed25519" && fields.count == 2
        guard fields.count == 3 || allowEmptyMessage else {
            throw LineError(description: "expected 3 hex fields (key signature message), found \(fields.count)")
        }
        var out = try fields.enumerated().map { index, field in
            try decodeHex(field, name: ["public key", "signature", "message"][index])
        }
        if allowEmptyMessage { out.append([]) }
        return out
    }
}

func decodeHex(_ text: Substring, name: String) throws -> [UInt8] {
    let utf8 = Array(text.utf8)
    guard utf8.count % 2 == 0 else {
        throw VerifyCommand.LineError(description: "\(name): odd number of hex digits (\(utf8.count))")
    }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count / 2)
    var i = 0
    while i < utf8.count {
        guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else {
            throw VerifyCommand.LineError(description: "\(name): not a hex digit at offset \(i)")
        }
        bytes.append(hi << 4 | lo)
        i += 2
    }
    return bytes
}

func printToStderr(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
