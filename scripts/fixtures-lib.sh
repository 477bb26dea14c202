# Shared by the release-build fixture scripts (statetests.sh, statetests-forks.sh,
# mainnet-blocks.sh): source it from the repository root.

# parallax_evm: sets `tool` to $PARALLAX_EVM when given, else builds parallax-evm
# (release) and points at it.
parallax_evm() {
    if [[ -n "${PARALLAX_EVM:-}" ]]; then
        tool=$PARALLAX_EVM
    else
        swift build -c release --product parallax-evm
        tool="$(swift build -c release --show-bin-path)/parallax-evm"
    fi
}

# unpack_once ARCHIVE DESTINATION [MEMBER]: unpacks ARCHIVE's MEMBER (default: the
# whole archive) to DESTINATION unless DESTINATION exists. It unpacks beside and then
# moves into place, so that an interrupted unpack is never taken for a complete one.
unpack_once() {
    local archive=$1 destination=$2 member=${3:-}
    [[ -d "$destination" ]] && return 0
    local staging
    staging="$(dirname "$destination")/.unpacking-$(basename "$destination")"
    mkdir -p "$(dirname "$destination")"
    rm -rf "$staging"
    mkdir -p "$staging"
    tar -xJf "$archive" -C "$staging"
    if [[ -n "$member" ]]; then
        mv "$staging/$member" "$destination"
        rm -rf "$staging"
    else
        mv "$staging" "$destination"
    fi
}
