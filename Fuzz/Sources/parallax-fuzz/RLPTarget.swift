// Fuzz target "rlp": `RLP.decode`, Ethereum's serialization as blocks,
// receipts and transactions arrive in it.
//
// Properties, beyond "no crash": the decoder accepts only the canonical
// encoding, so a decoded item encodes back to exactly the input bytes; the
// array and the buffer entry points agree; every error is an `RLPError` whose
// offset lies inside the input; and the header of the whole input, read on
// its own (`RLP.header`), agrees with the decoded item's kind and extent.

import ParallaxEthereum

enum RLPTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        let viaArray = Result { () throws(RLPError) in try RLP.decode(bytes) }
        let viaBuffer = Result { () throws(RLPError) in try RLP.decode(input) }
        require(viaArray == viaBuffer, "RLP.decode of the array gave \(viaArray), of the buffer \(viaBuffer)")
        switch viaArray {
        case .success(let item):
            require(RLP.encode(item) == bytes, "decode then encode does not give the input back")
            guard let header = try? RLP.header(input, at: 0, end: input.count) else {
                fatalError("the input decodes but its header does not")
            }
            require(header.isList == (item.listValue != nil) && header.end == input.count,
                    "the header (\(header)) disagrees with the item")
            if case .bytes(let payload) = item {
                require(RLP.encode(bytes: payload) == bytes, "encode(bytes:) disagrees with encode(_:)")
            }
        case .failure(let error):
            _ = error.description
            let offset: Int? = switch error {
            case .empty: nil
            case .truncated(let offset, _, _), .singleByteNotSelfEncoded(let offset), .lengthHasLeadingZero(let offset),
                 .longFormForShortPayload(let offset, _), .lengthOverflow(let offset), .trailingBytes(let offset, _),
                 .tooDeep(let offset, _):
                offset
            }
            if let offset { require(offset >= 0 && offset < bytes.count, "\(error) points outside the \(bytes.count) input bytes") }
        }
    }
}
