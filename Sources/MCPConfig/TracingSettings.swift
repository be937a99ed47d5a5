/// `proxy.tracing`: OpenTelemetry export of request spans (OTLP over HTTP/protobuf).
///
/// The spans themselves come from the proxy's tracing stage, which records into whatever
/// swift-distributed-tracing tracer is bootstrapped; this section has `mcp-proxy` bootstrap
/// swift-otel's, which needs a build with the `OTel` package trait (`swift build --traits OTel`).
public struct TracingSettings: Sendable, Equatable {
    /// `otlpEndpoint`: the collector's OTLP/HTTP traces URL, e.g.
    /// `http://127.0.0.1:4318/v1/traces`.
    public var otlpEndpoint: String
    /// `sampleRatio`: the fraction of new traces recorded, 0 to 1 (parent-based: a request
    /// whose client sampled its trace is always recorded). Default 1.
    public var sampleRatio: Double = 1
    /// `serviceName`: the `service.name` resource attribute. Default `mcp-proxy`.
    public var serviceName: String = "mcp-proxy"

    /// Settings for `otlpEndpoint`, other values at their defaults.
    public init(otlpEndpoint: String) {
        self.otlpEndpoint = otlpEndpoint
    }
}
