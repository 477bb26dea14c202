// swift-tools-version:6.0
// An outside package that links Parallax by path, defines its own contract
// and runs a few blocks through the pipeline. `make example` builds and runs it.
import PackageDescription

let package = Package(
    name: "CustomContract",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Parallax", path: "../..")],
    targets: [
        .executableTarget(
            name: "CustomContract",
            dependencies: [.product(name: "Parallax", package: "Parallax")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
