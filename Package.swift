// swift-tools-version: 6.1
import PackageDescription

// Dependencies earn their place:
// - swift-nio: ByteBuffer for zero-copy framing, event loops and pipes for the transports.
// - swift-log: structured logging to stderr (stdout belongs to the MCP stream).
// - hdrhistogram-swift: latency histograms in MCPStats.
// - swift-argument-parser: the mcp-proxy command line.
// - Yams: YAML configuration files.
// - swift-nio-ssl: TLS (and mTLS) for the network fronts and upstreams, BoringSSL inside.
// - async-http-client: the Streamable HTTP and legacy SSE upstream clients (pooling, TLS, streaming bodies).
// - swift-service-lifecycle: graceful shutdown of the network gateway on SIGINT/SIGTERM.
// - jwt-kit: JWT verification (HS/RS/PS/ES/EdDSA) and JWKS parsing for MCPSecurity's authenticators.
// - swift-crypto: SHA-256 for API-key digests and the verified-token cache (jwt-kit needs it anyway).
// - swift-metrics: the metrics API every Swift backend implements (swift-prometheus, statsd, OTel);
//   MCPStatsMetrics reports MCPStats' registry into it. Pure Swift, no dependencies of its own.
// - swift-prometheus (tests only): a real swift-metrics backend, to show that it renders the
//   bridge's series as the admin /metrics does.
// - ordo-one/benchmark: hot-path microbenchmarks with time and allocation counts (Benchmarks/).
// - swift-docc-plugin: the DocC catalogs as static sites (Scripts/docs.sh); a command plugin, links nothing.
let package = Package(
    name: "mcp-proxy",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "JSONRPC", targets: ["JSONRPC"]),
        .library(name: "MCPTransports", targets: ["MCPTransports"]),
        .library(name: "MCPRouting", targets: ["MCPRouting"]),
        .library(name: "MCPStats", targets: ["MCPStats"]),
        .library(name: "MCPSecurity", targets: ["MCPSecurity"]),
        .library(name: "MCPReliability", targets: ["MCPReliability"]),
        .library(name: "MCPPool", targets: ["MCPPool"]),
        .library(name: "MCPProxy", targets: ["MCPProxy"]),
        .library(name: "MCPConfig", targets: ["MCPConfig"]),
        .library(name: "MCPGateway", targets: ["MCPGateway"]),
        .library(name: "MCPStatsMetrics", targets: ["MCPStatsMetrics"]),
        .library(name: "MCPTracing", targets: ["MCPTracing"]),
        .library(name: "MCPRedis", targets: ["MCPRedis"]),
        .library(name: "MCPCluster", targets: ["MCPCluster"]),
        .library(name: "mcpproxy", type: .dynamic, targets: ["MCPProxyC"]),
        .executable(name: "mcp-proxy", targets: ["mcp-proxy"]),
        .executable(name: "example-server", targets: ["example-server"]),
        .executable(name: "custom-proxy", targets: ["custom-proxy"]),
    ],
    traits: [
        // OTLP export of request spans (proxy.tracing) through swift-otel: about 7 minutes of
        // first build on 2 cores, so it is off by default and in CI. `swift build --traits OTel`.
        .trait(name: "OTel", description: "Link swift-otel into mcp-proxy to export proxy.tracing spans over OTLP/HTTP"),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", "4.1.0"..<"6.0.0"),  // jwt-kit 5.8 needs 4.1+
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),  // tests only
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),  // `swift package generate-documentation` (Scripts/docs.sh)
    ],
    targets: [
        .target(
            name: "JSONRPC",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(name: "CProcessSpawn"),
        .target(
            name: "MCPTransports",
            dependencies: [
                "JSONRPC", "CProcessSpawn",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "MCPRouting"),
        .target(
            name: "MCPStats",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        .target(
            name: "MCPSecurity",
            dependencies: [
                "JSONRPC", "MCPRouting",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(name: "MCPReliability"),
        .target(
            name: "MCPStatsMetrics",
            dependencies: ["MCPStats", .product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        .target(
            name: "MCPTracing",
            dependencies: ["JSONRPC", .product(name: "Tracing", package: "swift-distributed-tracing")]
        ),
        // What replicas of one gateway share: sealed session ids (swift-crypto's AEAD), and later
        // the Redis-backed limits, revocation and delivery.
        .target(
            name: "MCPCluster",
            dependencies: ["JSONRPC", "MCPRouting", "MCPSecurity", "MCPRedis", "MCPTransports", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // A small RESP3 client on SwiftNIO for the scale-out issue's shared state (no Redis
        // client is in the package mirror); behind a protocol so a maintained one can replace it.
        .target(
            name: "MCPRedis",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MCPPool",
            dependencies: ["JSONRPC", "MCPReliability"]
        ),
        .target(
            name: "MCPProxy",
            dependencies: [
                "JSONRPC", "MCPTransports", "MCPRouting", "MCPStats", "MCPSecurity", "MCPPool", "MCPReliability",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MCPConfig",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "MCPGateway",
            dependencies: [
                "MCPProxy", "MCPConfig", "MCPTracing", "MCPStatsMetrics", "JSONRPC", "MCPRouting", "MCPStats", "MCPTransports", "MCPSecurity", "MCPReliability",
                "MCPCluster", "MCPRedis",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The C ABI (libmcpproxy.so): the header is CMCPProxy's, the functions are MCPProxyC's.
        .target(name: "CMCPProxy"),
        .target(
            name: "MCPProxyC",
            dependencies: ["CMCPProxy", "MCPGateway", "MCPConfig", "MCPSecurity", "MCPProxy", "JSONRPC",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "mcp-proxy",
            dependencies: [
                "MCPGateway", "MCPProxy", "MCPConfig", "JSONRPC", "MCPRouting", "MCPStats", "MCPTransports", "MCPSecurity", "MCPReliability",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTel"])),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "example-server",
            dependencies: [
                "JSONRPC", "MCPTransports",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // --modern --http serves 2026-07-28 Streamable HTTP with its own small server.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/example-server"
        ),
        .executableTarget(
            name: "custom-proxy",
            dependencies: [
                "MCPProxy", "MCPSecurity", "MCPTransports", "MCPRouting", "MCPStats", "JSONRPC",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/custom-proxy"
        ),
        // Benchmarks (Benchmarks/README.md). ProxyBenchmarks sits directly in Benchmarks/, where
        // `swift package benchmark` looks; the tools sit in Benchmarks/Tools/ so it does not run them.
        .target(
            name: "ProxyBenchmarkSupport",
            dependencies: [
                "JSONRPC", "MCPRouting", "MCPStats", "MCPProxy", "MCPTransports", "MCPSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Support"
        ),
        .executableTarget(
            name: "ProxyBenchmarks",
            dependencies: [
                "ProxyBenchmarkSupport", "JSONRPC", "MCPRouting", "MCPStats", "MCPCluster",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/ProxyBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "hot-path-profile",
            dependencies: ["ProxyBenchmarkSupport", "JSONRPC", "MCPStats", .product(name: "NIOCore", package: "swift-nio")],
            path: "Benchmarks/Tools/hot-path-profile"
        ),
        .executableTarget(
            name: "fast-upstream",
            dependencies: [
                "JSONRPC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/Tools/fast-upstream"
        ),
        .executableTarget(
            name: "mcp-bench",
            dependencies: [
                "JSONRPC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Tools/mcp-bench"
        ),
        .testTarget(
            name: "BenchToolsTests",
            dependencies: ["mcp-bench", "fast-upstream", "JSONRPC", .product(name: "NIOCore", package: "swift-nio")],
            path: "Benchmarks/Tests/BenchToolsTests"
        ),
        .testTarget(name: "JSONRPCTests", dependencies: [
            "JSONRPC", .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "MCPTransportsTests", dependencies: [
            "MCPTransports", "JSONRPC",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "MCPRoutingTests", dependencies: ["MCPRouting"]),
        .testTarget(name: "MCPStatsTests", dependencies: ["MCPStats"]),
        .testTarget(name: "MCPProxyTests", dependencies: [
            "MCPProxy", "MCPSecurity", "MCPStats", "MCPTransports", "JSONRPC", "MCPReliability", "MCPRouting",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "MCPSecurityTests", dependencies: [
            "MCPSecurity", "JSONRPC", "MCPRouting",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),  // RSA key generation in tests
        ]),
        .testTarget(name: "MCPConfigTests", dependencies: ["MCPConfig"]),
        .testTarget(name: "MCPReliabilityTests", dependencies: ["MCPReliability"]),
        .testTarget(name: "MCPStatsMetricsTests", dependencies: [
            "MCPStatsMetrics", "MCPStats", "MCPGateway", "MCPConfig", "example-server",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "MCPTracingTests", dependencies: [
            "MCPTracing", "JSONRPC",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
        ]),
        .testTarget(name: "MCPPoolTests", dependencies: ["MCPPool", "MCPReliability"]),
        .testTarget(name: "MCPClusterTests", dependencies: [
            "MCPCluster", "MCPRouting", "JSONRPC", "MCPRedis", "MCPSecurity", "RedisTestSupport",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // A real redis-server for tests, shared by every test target that needs one.
        .target(
            name: "RedisTestSupport",
            dependencies: ["MCPRedis", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tests/RedisTestSupport"
        ),
        .testTarget(name: "MCPRedisTests", dependencies: [
            "MCPRedis", "RedisTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "JSONRPC", "MCPTransports", "MCPGateway", "MCPConfig", "MCPSecurity", "MCPTracing", "mcp-proxy", "example-server",
            .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
