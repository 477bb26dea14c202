// parallax-evm: the EVM tool. See ParallaxEVMCommand.swift.
ParallaxEVMCommand.main()
