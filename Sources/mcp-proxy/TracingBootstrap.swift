import Logging
import MCPConfig
import ServiceLifecycle
#if OTel
import OTel
#endif

/// `proxy.tracing`: bootstraps swift-otel's tracer with an OTLP/HTTP exporter, so the gateway's
/// tracing stage (which records into whatever tracer is bootstrapped) exports its spans.
///
/// swift-otel costs about 7 minutes of first build on 2 cores, so it is linked only in builds
/// with the `OTel` package trait: `swift build -c release --traits OTel --product mcp-proxy`.
/// Other builds warn when the config asks for tracing and export nothing.
enum TracingBootstrap {
    /// The exporter's service, to run next to the gateway (it flushes spans on shutdown); nil
    /// when tracing is not configured or this build has no exporter.
    static func start(_ settings: TracingSettings?, logger: Logger) throws -> (any Service)? {
        guard let settings else { return nil }
        #if OTel
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.sampleRatio) ?? .parentBasedAlwaysOn
        configuration.traces.otlpExporter.endpoint = settings.otlpEndpoint
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let service = try OTel.bootstrap(configuration: configuration)
        logger.notice("tracing: exporting spans over OTLP/HTTP", metadata: [
            "endpoint": "\(settings.otlpEndpoint)", "sampleRatio": "\(settings.sampleRatio)", "service": "\(settings.serviceName)",
        ])
        return service
        #else
        logger.warning("""
            proxy.tracing is set, but this mcp-proxy was built without the OTLP exporter, so no span is exported; \
            build it with `swift build -c release --traits OTel --product mcp-proxy`
            """)
        return nil
        #endif
    }
}
