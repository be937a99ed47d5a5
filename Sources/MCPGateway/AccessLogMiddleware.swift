import JSONRPC
import MCPProxy

/// The pipeline stage of an ``AccessLog``. Put it first in the chain: it logs the requests later
/// stages refuse (when `handle` returns), the requests the proxy answers itself, and every
/// forwarded request when it ends (`finished`, which runs once the upstream's answer, error or
/// timeout is known).
///
/// What it keeps from `handle` to `finished` (name, id, size) travels in the context's
/// attachments, so it costs one small allocation per request while the log is on, and nothing
/// at all when it is not in the chain.
public struct AccessLogMiddleware: MCPMiddleware {
    public typealias Context = ProxyRequestContext

    let log: AccessLog

    /// What `finished` needs from `handle`.
    struct Pending: Sendable {
        var name: String?
        var id: [UInt8]
        var bytesIn: Int
    }

    public var observesCompletion: Bool { true }

    public func handle(
        _ call: inout MCPCall,
        context: inout ProxyRequestContext,
        next: (inout MCPCall, inout ProxyRequestContext) -> MCPVerdict
    ) -> MCPVerdict {
        let pending = Pending(name: call.name ?? call.uri, id: call.idBytes, bytesIn: call.message.bytes.readableBytes)
        context.attachments[Pending.self] = pending
        let verdict = next(&call, &context)
        switch verdict {
        case .forwarded:
            break
        case .answered:
            guard log.include == .all else { break }
            log.record(record(pending, call.method.name, context: context, time: AccessLogRecord.now(), outcome: .local))
        case .refused(let refusal):
            log.record(record(pending, call.method.name, context: context, time: AccessLogRecord.now(),
                              outcome: .refused(reason: refusal.reason, code: refusal.code.rawValue)))
        }
        return verdict
    }

    public func finished(_ summary: MCPCallSummary, context: ProxyRequestContext, outcome: MCPOutcome) {
        let logged: AccessLogRecord.Outcome
        switch outcome {
        case .success:
            guard log.include == .all else { return }
            logged = .ok
        case .error(let code): logged = .error(code: code)
        case .refused(let reason): logged = .refused(reason: reason, code: context.attachments[MCPRefusal.self]?.code.rawValue)
        case .timeout: logged = .timeout
        case .upstreamUnavailable: logged = .unavailable
        case .cancelled: logged = .cancelled
        }
        let pending = context.attachments[Pending.self] ?? Pending(name: nil, id: [], bytesIn: 0)
        var entry = record(pending, summary.method.name, context: context,
                           time: AccessLogRecord.now() &- Int64(clamping: summary.latencyNanoseconds), outcome: logged)
        entry.latencyNanoseconds = summary.latencyNanoseconds
        if summary.responseBytes > 0 { entry.bytesOut = summary.responseBytes }
        entry.policy = context.attachments[GovernanceNotes.self]?.summary
        log.record(entry)
    }

    private func record(_ pending: Pending, _ method: String, context: ProxyRequestContext, time: Int64,
                        outcome: AccessLogRecord.Outcome) -> AccessLogRecord {
        AccessLogRecord(
            time: time, principal: context.principal.subject, session: context.session.isEmpty ? nil : context.session,
            method: method, name: pending.name, upstream: context.upstreamName,
            id: pending.id.isEmpty ? nil : String(decoding: pending.id, as: UTF8.self),
            outcome: outcome, bytesIn: pending.bytesIn)
    }
}
