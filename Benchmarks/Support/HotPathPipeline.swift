import JSONRPC
import MCPRouting
import MCPStats
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proxy's per-message work for `tools/call`, rebuilt from the public pieces the way
/// `ProxySession` does it (its own pipeline types are internal):
///
/// request: scan the envelope -> route rules -> resolve the exposed name -> give the request the
/// proxy's id and progress token (and the original tool name) by splicing -> stats -> write the
/// framed bytes out; response: scan -> find the request -> splice the client's id back -> write.
///
/// The real proxy applies route rules when it merges catalogs rather than per call, and takes
/// a lock or two around its maps; this pipeline runs the rules per call (the definition
/// of the hot path) and has no locks. `InProcessProxy` measures the real thing.
public final class HotPathPipeline {
    /// One exposed tool: where it goes and under which name.
    struct CatalogEntry {
        let upstream: Int
        let original: String
        /// `original` as a JSON string token, ready to splice in.
        let originalJSON: [UInt8]
        let series: RequestSeries
    }

    /// What the response leg needs to answer the client.
    public struct Forwarded: Sendable {
        /// The id the request got from the proxy (and its progress token).
        public let upstreamID: Int64
        /// The client's id token, as sent.
        public let clientID: [UInt8]
        /// The client's progress token, as sent.
        public let clientToken: [UInt8]?
        /// When the request arrived (monotonic nanoseconds).
        public let startedAt: UInt64
    }

    private let scanner = JSONRPCScanner()
    private let routes: RouteTable
    private let catalog: [String: CatalogEntry]
    private let toolsCall = MCPMethod.toolsCall.name
    /// The id the next forwarded request gets.
    public var nextUpstreamID: Int64 = 1
    /// Stands in for the socket: what was written last.
    public private(set) var wire = ByteBufferAllocator().buffer(capacity: 64 << 10)

    /// A pipeline with `routes` and a catalog of 51 tools, `fast__echo` among them.
    public init(routes: RouteTable, stats: StatsRegistry) {
        self.routes = routes
        var catalog: [String: CatalogEntry] = [:]
        for index in 0..<50 {
            let original = "tool_\(index)"
            catalog["up\(index % 5)__\(original)"] = CatalogEntry(
                upstream: index % 5, original: original, originalJSON: JSONString.encode(original),
                series: stats.requestSeries(upstream: "up\(index % 5)", method: "tools/call", tool: original))
        }
        catalog[SampleMessages.exposedTool] = CatalogEntry(
            upstream: 5, original: SampleMessages.originalTool, originalJSON: JSONString.encode(SampleMessages.originalTool),
            series: stats.requestSeries(upstream: "fast", method: "tools/call", tool: SampleMessages.originalTool))
        self.catalog = catalog
    }

    /// The request leg. Returns nil when the message is not a routable `tools/call`.
    public func forward(_ frame: ByteBuffer) -> Forwarded? {
        let startedAt = Self.now()
        guard let message = try? scanner.scanMessage(frame) else { return nil }
        let envelope = message.envelope
        guard envelope.kind == .request, envelope.method == .toolsCall, let idRange = envelope.idRange,
              let name = envelope.name, let nameRange = envelope.nameRange
        else { return nil }
        if case .deny? = routes.decide(method: toolsCall, name: name, upstream: nil) { return nil }
        guard let entry = catalog[name] else { return nil }

        let upstreamID = nextUpstreamID
        nextUpstreamID += 1
        let idBytes = JSONRPCID.number(upstreamID).jsonBytes
        var edits: [ByteSplice] = []
        edits.reserveCapacity(3)
        if entry.original != name { edits.append(ByteSplice(range: nameRange, replacement: entry.originalJSON)) }
        edits.append(ByteSplice(range: idRange, replacement: idBytes))
        var clientToken: [UInt8]?
        if let tokenRange = envelope.progressTokenRange {
            clientToken = message.rawBytes(tokenRange)
            edits.append(ByteSplice(range: tokenRange, replacement: idBytes))
        }
        let outgoing = message.splicing(edits)
        write(outgoing)
        entry.series.record(latencyNanoseconds: Self.now() &- startedAt, outcome: .success)
        return Forwarded(upstreamID: upstreamID, clientID: message.rawBytes(idRange), clientToken: clientToken, startedAt: startedAt)
    }

    /// The response leg for a request forwarded earlier.
    public func answer(_ frame: ByteBuffer, pending: inout [Int64: Forwarded]) -> Bool {
        guard let message = try? scanner.scanMessage(frame) else { return false }
        guard case .number(let id)? = message.envelope.id, let idRange = message.envelope.idRange,
              let request = pending.removeValue(forKey: id)
        else { return false }
        write(message.splicing(idRange, with: request.clientID))
        return true
    }

    /// Newline framing as the transports do it: make sure the message is one line, then write it
    /// and a newline.
    private func write(_ message: ByteBuffer) {
        let hasBreak = message.withUnsafeReadableBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, Int32(UInt8(ascii: "\n")), bytes.count) != nil
                || memchr(base, Int32(UInt8(ascii: "\r")), bytes.count) != nil
        }
        wire.clear()
        if hasBreak {
            message.withUnsafeReadableBytes { bytes in
                for byte in bytes {
                    wire.writeInteger(byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") ? UInt8(ascii: " ") : byte)
                }
            }
        } else {
            wire.writeImmutableBuffer(message)
        }
        wire.writeInteger(UInt8(ascii: "\n"))
    }

    /// Monotonic nanoseconds, as the proxy's clock reads them.
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
