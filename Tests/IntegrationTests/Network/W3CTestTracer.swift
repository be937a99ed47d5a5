import InMemoryTracing
import Tracing

/// swift-distributed-tracing's in-memory tracer with W3C trace-context propagation
/// (`traceparent: 00-<32 hex trace id>-<16 hex span id>-01`), as an OpenTelemetry tracer
/// propagates: spans are recorded in memory, context crosses process boundaries as W3C headers.
struct W3CTestTracer: Tracer {
    let inner: InMemoryTracer

    init() {
        let counter = Counter()
        inner = InMemoryTracer(idGenerator: .init(
            nextTraceID: { counter.next(width: 32) },
            nextSpanID: { counter.next(width: 16) }))
    }

    /// Hex ids from a counter.
    final class Counter: @unchecked Sendable {
        // @unchecked: `value` is only touched under `lock`.
        private let lock = NSLockLike()
        private var value = 0

        func next(width: Int) -> String {
            let number = lock.withLock { () -> Int in
                value += 1
                return value
            }
            let hex = String(number, radix: 16)
            return String(repeating: "0", count: max(0, width - hex.count)) + hex
        }
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> InMemorySpan {
        inner.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    func forceFlush() { inner.forceFlush() }

    func inject<Carrier, Inject: Injector>(_ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject)
    where Carrier == Inject.Carrier {
        var ids: [String: String] = [:]
        inner.inject(context, into: &ids, using: DictionaryCarrierInjector())
        guard let trace = ids[InMemoryTracer.traceIDKey], let span = ids[InMemoryTracer.spanIDKey] else { return }
        injector.inject("00-\(trace)-\(span)-01", forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract)
    where Carrier == Extract.Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = header.split(separator: "-")
        guard parts.count == 4 else { return }
        inner.extract([InMemoryTracer.traceIDKey: String(parts[1]), InMemoryTracer.spanIDKey: String(parts[2])],
                      into: &context, using: DictionaryCarrierExtractor())
    }
}

struct DictionaryCarrierInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

struct DictionaryCarrierExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

import Foundation
typealias NSLockLike = NSLock
