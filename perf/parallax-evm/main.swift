// parallax-evm: the EVM tool (state tests). Being written.
print("parallax-evm: not built yet")
