#!/usr/bin/env python3
"""Writes the committed seed corpora of the fuzz targets (Fuzz/corpus/<target>/).

Run once when a target's input format changes; libFuzzer grows the working
copies from these. Sources: envelopes signed here (Ed25519 and secp256k1, with
the `cryptography` package, Keccak from pycryptodome), the transactions of
Tests/ParallaxEthereumTests/EthereumTransactionTests.swift (ethereum/tests
vectors), the valid cases of ethereum/tests RLPTests/rlptest.json
(Tests/Fixtures/TrieTests-RLPTests.tar.xz), Examples/topology-2socket.toml,
and hand-written EVM programs in the evm target's input layout
(Fuzz/Sources/parallax-fuzz/EVMTarget.swift). Seeds are named after their
content, so running this again is idempotent.
"""
import hashlib
import json
import lzma
import pathlib
import re
import struct
import tarfile

from Crypto.Hash import keccak
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, utils

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "Fuzz" / "corpus"


def write(target, data, name=None):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()
    (folder / name).write_bytes(data)


def keccak256(data):
    return keccak.new(digest_bits=256, data=data).digest()


# --- envelope: docs/precheck.md's layout, version 1 ---
def signing_bytes(scheme, key, chain, nonce, gas, fee, payload):
    return (bytes([1, scheme]) + struct.pack("<Q", chain) + key
            + struct.pack("<QQQI", nonce, gas, fee, len(payload)) + payload)


ed_key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ed_pub = ed_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
secp_key = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256K1())
secp_pub = secp_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def ed_envelope(chain, nonce, gas, fee, payload):
    prefix = signing_bytes(1, ed_pub, chain, nonce, gas, fee, payload)
    return prefix + ed_key.sign(keccak256(prefix))


def secp_envelope(chain, nonce, gas, fee, payload):
    prefix = signing_bytes(2, secp_pub, chain, nonce, gas, fee, payload)
    der = secp_key.sign(keccak256(prefix), ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    r, s = utils.decode_dss_signature(der)
    s = min(s, N - s)  # low s
    return prefix + r.to_bytes(32, "big") + s.to_bytes(32, "big")


valid = ed_envelope(1, 0, 50_000, 2, b"\x01transfer")
write("envelope", valid)
write("envelope", ed_envelope(1, 7, 21_000, 0, b""))
write("envelope", secp_envelope(1, 1, 90_000, 5, bytes(range(40))))
write("envelope", ed_envelope(5, 0, 50_000, 2, b"other chain"))
write("envelope", valid[:-1] + bytes([valid[-1] ^ 1]))  # bad signature
write("envelope", valid[:30])  # truncated

# --- config ---
write("config", (root / "Examples" / "topology-2socket.toml").read_bytes())
write("config", b'[placement]\npolicy = "explicit"\ncpus = "0-3,8-11"\n[pools.execute]\n')
write("config", b'[placement]\npolicy = "compact"\nsmt = "siblings"\nreserved = "0"\n'
                b'[pools.precheck]\nshare = 0.25\n[pools.execute]\nworkers = 3\n[pools.commit]\n'
                b'[workers]\npin = false\ninbox_capacity = 64\nscratch_bytes = 4096\n')
write("config", b'[pools.execute]\ncpus = "1,3,5"\nworkers = 2\n')  # a conflict
write("config", b'[workers]\nunknown = [1, {a = 2.5}, "x"]\n')   # an unknown key

# --- ethereum-transaction and rlp: ethereum/tests vectors ---
tests = (root / "Tests" / "ParallaxEthereumTests" / "EthereumTransactionTests.swift").read_text()
for hex_bytes in re.findall(r'txbytes: "0x([0-9a-f]+)"', tests):
    write("ethereum-transaction", bytes.fromhex(hex_bytes))
eip155 = re.search(r'"0x(f86c09[0-9a-f]+)"', tests)
if eip155:
    write("ethereum-transaction", bytes.fromhex(eip155.group(1)))

with tarfile.open(root / "Tests" / "Fixtures" / "TrieTests-RLPTests.tar.xz") as archive:
    cases = json.load(archive.extractfile("RLPTests/rlptest.json"))
for name in ["emptystring", "shortstring", "longstring", "zero", "bigint", "emptylist", "stringlist",
             "multilist", "shortListMax1", "longList1", "listsoflists2", "dictTest1"]:
    if name in cases:
        write("rlp", bytes.fromhex(cases[name]["out"].removeprefix("0x")), name)

# --- evm: flags, gas and fork byte, code A length / 4, code A, code B ---
def evm(flags, gas, code_a, code_b):
    code_a = code_a + bytes(-len(code_a) % 4)  # code A is a multiple of 4 bytes (STOP padding)
    return bytes([flags, gas, len(code_a) // 4]) + code_a + code_b


CANCUN, SHANGHAI, LONDON, BYZANTIUM, FRONTIER = 11, 10, 8, 4, 0
# A: counter (SLOAD 0, +1, SSTORE 0) then CALL B with calldata; B: LOG1 of CALLDATA, RETURN it.
counter_then_call = bytes.fromhex("600054600101600055" "6000600060006000600073" + "b0b0" + "00" * 8 + "0b" + "5af150")
log_and_return = bytes.fromhex("366000600037" "33" "3660" "00a1" "3660" "00f3")
write("evm", evm(3 | CANCUN << 4, 2 | 8 << 3, counter_then_call, log_and_return))
# A: CREATE of B's code as initcode... via CALLDATACOPY; B: SELFDESTRUCT to the caller.
create_from_calldata = bytes.fromhex("366000600037" "3660006000f0" "50" "00")
write("evm", evm(1 | SHANGHAI << 4 | 8, 1, create_from_calldata, bytes.fromhex("33ff")))
# A: SHA256 and ECRECOVER precompiles over memory, then REVERT with the output.
precompiles = bytes.fromhex("602060006020600060025afa50" "608060006020600060015afa50" "60206000fd")
write("evm", evm(2 | LONDON << 4 | 4, 3, precompiles, b"\x60\x01\x60\x00\x55"))
# A as initcode (a create transaction), returning B-like runtime code; old fork.
initcode = bytes.fromhex("600a600c600039600a6000f3" "600054600101600055" "00")
write("evm", evm(4 | 1 | BYZANTIUM << 4, 2, initcode, bytes.fromhex("5b600056")))  # B loops until out of gas
# Memory expansion, MSIZE, RETURNDATACOPY out of bounds, on Frontier.
write("evm", evm(1 | FRONTIER << 4, 0, bytes.fromhex("61ffff5159" "6000600060003e"), bytes.fromhex("3d600060003e00")))
