import ArgumentParser
import Parallax
import ParallaxPrecheck
#if canImport(Glibc)
import Glibc
#endif

/// `parallax-perf digest`: hex messages in, hex digests out, through the
/// batched kernels (the command-line face of `BatchHasher`).
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Hash hex messages read from stdin, one per line; print hex digests, one per line.",
        discussion: """
            An empty line is the empty message. Lines are hashed in batches of --batch with \
            automatic kernel dispatch. A line that is not hex (odd digit count, any other \
            character) stops the command with its line number and exit status 2, after the \
            digests of every line before it.
            """
    )

    @Option(help: "keccak256 (Ethereum), sha256 or sha3-256.") var algorithm: DigestAlgorithm
    @Option(help: "Messages hashed per kernel call.") var batch: Int = 4096

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        var hasher = BatchHasher(algorithm.hashAlgorithm)
        var messages = PackedMessages()
        var digests: [Digest32] = []
        var output: [UInt8] = []
        var lineNumber = 0
        func flush() {
            hasher.hash(messages, into: &digests)
            output.removeAll(keepingCapacity: true)
            for digest in digests {
                output.append(contentsOf: digest.hex.utf8)
                output.append(UInt8(ascii: "\n"))
            }
            writeAll(output, to: STDOUT_FILENO)
            messages.removeAll()
        }
        while var line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.utf8.last == UInt8(ascii: "\r") { line.removeLast() }
            do {
                try messages.append { bytes throws(Hex.DecodingError) in try Hex.decode(line, into: &bytes) }
            } catch {
                flush()
                writeAll(Array("parallax-perf digest: line \(lineNumber): \(error)\n".utf8), to: STDERR_FILENO)
                throw ExitCode(2)
            }
            if messages.count == batch { flush() }
        }
        flush()
    }
}

/// Writes every byte (the digests bypass `print` to avoid a String per line).
func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

/// The digest functions the harness accepts by name.
enum DigestAlgorithm: String, ExpressibleByArgument, CaseIterable {
    case keccak256
    case sha256
    case sha3_256 = "sha3-256"

    var hashAlgorithm: HashAlgorithm {
        switch self {
        case .keccak256: .keccak256
        case .sha256: .sha256
        case .sha3_256: .sha3_256
        }
    }
}
