// swift-tools-version: 6.1
import PackageDescription

// libFuzzer harnesses for the JSON-RPC scanner and the config loader (Fuzz/README.md).
//
// A package of its own, so that the main package never builds fuzzer-instrumented code. It does
// not depend on the main package by path: that would resolve all of the main package's
// dependencies (TLS, HTTP client, JWT, benchmarks) for two modules that need only NIOCore and
// Yams. Instead Sources/JSONRPC and Sources/MCPConfig are symlinks to the main package's source
// folders, compiled here under the same module names with the same dependencies. If either
// module gains a dependency in ../Package.swift, add it here too.
//
// Build (Scripts/fuzz.sh does this):
//   swift build -c release --sanitize=fuzzer --sanitize=address --scratch-path ../.build-fuzz
let package = Package(
    name: "mcp-proxy-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "JSONRPC",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "MCPConfig",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "FuzzScanner",
            dependencies: ["JSONRPC", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(
            name: "FuzzConfig",
            dependencies: ["MCPConfig"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
