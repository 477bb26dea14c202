#!/usr/bin/env bash
# Installs the Debian packages Parallax builds and tests against, only those
# that are missing. Idempotent; uses sudo when not run as root.
set -euo pipefail

packages=(
    pkg-config
    libhwloc-dev hwloc   # topology discovery (library, and lstopo for XML fixtures)
    libnuma-dev          # NUMA-local allocation
    libck-dev            # Concurrency Kit: ck_ring baseline in the perf harness only
    libssl-dev           # OpenSSL digests: baselines in the harness, references in tests
    libsodium-dev        # Ed25519 reference verifier, SHA-512 and ChaCha20 for the batch verifier
    libsecp256k1-dev     # secp256k1 ECDSA (Ethereum-style senders)
    liblmdb-dev          # LMDB: the durable state store
    libgmp-dev           # GMP: the modexp precompile (0x05)
    python3-matplotlib   # plots of `parallax-perf sweep`
    python3-pip          # the Python references of the precompile tests (scripts/install-python-deps.sh)
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
