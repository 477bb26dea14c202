// Addresses of new contracts (Yellow Paper 7, EIP-1014).

import ParallaxEthereum

/// CREATE's address: keccak256(rlp([sender, nonce]))[12...].
public func computeCreateAddress(_ sender: Address, nonce: UInt64) -> Address {
    var payload: [UInt8] = [0x94]
    payload += sender.bytes
    if nonce == 0 {
        payload.append(0x80)
    } else if nonce < 0x80 {
        payload.append(UInt8(nonce))
    } else {
        let n = (64 - nonce.leadingZeroBitCount + 7) / 8
        payload.append(0x80 + UInt8(n))
        for i in (0..<n).reversed() { payload.append(UInt8(truncatingIfNeeded: nonce >> (8 * UInt64(i)))) }
    }
    let hash = keccak256([0xC0 + UInt8(payload.count)] + payload)
    return Address(word: hash.word)
}

/// CREATE2's address (EIP-1014): keccak256(0xff ++ sender ++ salt ++ keccak256(initcode))[12...].
public func computeCreate2Address(_ sender: Address, salt: UInt256, initcode: [UInt8]) -> Address {
    var payload: [UInt8] = [0xFF]
    payload += sender.bytes
    payload += salt.bigEndianBytes
    payload += keccak256(initcode).bytes
    return Address(word: keccak256(payload).word)
}
