import JSONRPC
import Tracing

/// The string members of a request's `params._meta` (W3C `traceparent` and `tracestate`, or
/// whatever keys the tracer's propagator uses), as a carrier the tracer extracts from.
public struct MetaCarrier: Sendable {
    /// The `_meta` members whose values are strings.
    public var values: [String: String]

    /// Reads the string members of `params._meta`; empty when there are none.
    public init(_ message: JSONRPCMessage) {
        var values: [String: String] = [:]
        if let params = message.envelope.paramsRange, let meta = JSONView(message: message, range: params)["_meta"], meta.kind == .object {
            for (key, value) in meta.members {
                if let text = value.string { values[key] = text }
            }
        }
        self.values = values
    }

    /// A carrier with these values.
    public init(values: [String: String]) {
        self.values = values
    }
}

/// Reads a ``MetaCarrier`` for `Tracer.extract`.
public struct MetaExtractor: Extractor {
    /// Creates the extractor.
    public init() {}

    /// The value of `key` in `_meta`.
    public func extract(key: String, from carrier: MetaCarrier) -> String? {
        carrier.values[key]
    }
}

/// Collects what a tracer injects, to write into the upstream request's `_meta`.
public struct DictionaryInjector: Injector {
    /// Creates the injector.
    public init() {}

    /// Records `value` under `key`.
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}
