import Foundation
import JSONRPC
import Logging
import MCPSecurity
import MCPStats
import Synchronization

/// Tool-definition pinning (`proxy.pinning`): compares every tool an upstream lists with its
/// approved fingerprint in the pin file, so that a server cannot change a tool (its
/// description, schema or annotations) unseen after it was approved.
///
/// It runs where lists are fetched (``MergedCatalog``), never per request: each fetched tool is
/// fingerprinted once (``ToolFingerprint``), and the merged `tools/list` leaves out the tools
/// ``isQuarantined(server:tool:fingerprint:)`` names. A `tools/call` for one of those is
/// refused with -32003 and `data.reason: "toolDefinitionChanged"`.
///
/// One instance serves every proxy of a configuration (the aggregated one and the named
/// servers'); a reload makes a new one that reads the file again.
public final class ToolPinning: Sendable {
    /// What a change does.
    public enum Mode: String, Sendable, Equatable {
        /// Nothing is compared (a proxy with pinning off has no ``ToolPinning``; `pins list`
        /// still reports against the file).
        case off
        /// Changed tools stay; each change is logged and counted.
        case warn
        /// Changed tools are quarantined until approved.
        case enforce
    }

    /// What a tool without a pin does.
    public enum OnNew: String, Sendable, Equatable {
        /// It is pinned on first sight.
        case allow
        /// It waits for approval (quarantined under `enforce`).
        case quarantine
    }

    /// What a change does.
    public let mode: Mode
    /// What a new tool does.
    public let onNew: OnNew
    /// The pin file.
    public let path: String
    private let stats: StatsRegistry
    private let logger: Logger
    private let state: Mutex<State>
    /// Called after an approval changed pins, so proxies rebuild their lists and tell clients.
    private let listeners = Mutex<[@Sendable () -> Void]>([])

    struct Observation: Sendable, Equatable {
        var fingerprint: ToolFingerprint
        var definition: JSONValue
    }

    private struct State: Sendable {
        var file: PinFile
        /// What upstreams listed last: server -> tool -> fingerprint and canonical definition.
        var observed: [String: [String: Observation]] = [:]
    }

    /// Reads the pin file (a missing file is an empty one).
    ///
    /// - Parameter carryingOver: the instance of the configuration this one replaces: what it
    ///   observed is kept, so a reload does not log and count known changes again.
    public init(mode: Mode, onNew: OnNew, path: String, stats: StatsRegistry, logger: Logger,
                carryingOver previous: ToolPinning? = nil) throws(PinFileError) {
        self.mode = mode
        self.onNew = onNew
        self.path = path
        self.stats = stats
        var logger = logger
        logger[metadataKey: "component"] = "pinning"
        self.logger = logger
        let file = try PinFile.load(path: path)
        let observed = previous?.state.withLock { $0.observed } ?? [:]
        self.state = Mutex(State(file: file, observed: observed))
        for server in observed.keys { updateGauge(server: server) }
    }

    // MARK: Where lists are fetched

    /// Fingerprints the tools `server` listed, records what changed (log, counter; a new tool
    /// is pinned under `onNew: allow`), and returns the items with their fingerprints.
    func inspect(server: String, items: [CatalogItem]) -> [CatalogItem] {
        var result = items
        var seen: [(tool: String, observation: Observation)] = []
        let limits = ScanLimits(maxMessageBytes: Int.max, maxDepth: 256)
        for index in result.indices {
            guard let value = try? JSONValue(parsing: result[index].bytes, limits: limits) else { continue }
            let fingerprint = ToolFingerprint(definition: value)
            result[index].fingerprint = fingerprint
            seen.append((result[index].key, Observation(fingerprint: fingerprint, definition: ToolFingerprint.canonicalDefinition(value))))
        }
        var events: [Event] = []
        var writeFailure: PinFileError?
        state.withLock { state in
            var pinnedNew = false
            for (tool, observation) in seen {
                let before = state.observed[server]?[tool]
                state.observed[server, default: [:]][tool] = observation
                guard before != observation else { continue }
                let pin = state.file.pin(server: server, tool: tool)
                if let pin {
                    if pin.fingerprint != observation.fingerprint {
                        events.append(.changed(tool: tool, pin: pin, now: observation))
                    } else if before != nil {
                        events.append(.restored(tool: tool))
                    }
                } else if onNew == .allow {
                    state.file.servers[server, default: [:]][tool] = PinFile.Pin(
                        fingerprint: observation.fingerprint, definition: observation.definition, approvedAt: PinFile.timestamp(Date()))
                    pinnedNew = true
                    events.append(.pinnedNew(tool: tool, fingerprint: observation.fingerprint))
                } else if before == nil {
                    events.append(.unapproved(tool: tool, now: observation))
                }
            }
            // Tools the server no longer lists are no longer observed (a report shows them missing).
            let listed = Set(seen.map(\.tool))
            state.observed[server] = state.observed[server]?.filter { listed.contains($0.key) }
            if pinnedNew {
                writeFailure = Self.merge(into: &state.file, path: path) { _ in }
            }
        }
        var pinnedNames: [String] = []
        for event in events {
            if case .pinnedNew(let tool, _) = event {
                pinnedNames.append(tool)
            } else {
                record(event, server: server)
            }
        }
        if !pinnedNames.isEmpty {
            logger.info("pinned \(pinnedNames.count) new tool\(pinnedNames.count == 1 ? "" : "s") on first sight (onNew: allow)",
                        metadata: ["upstream": "\(server)", "tools": "\(pinnedNames.joined(separator: ","))", "file": "\(path)"])
        }
        if let writeFailure {
            logger.error("new pins are kept in memory only: \(writeFailure)")
        }
        updateGauge(server: server)
        return result
    }

    /// Whether the proxy withholds `tool` of `server` listed with `fingerprint`: under
    /// `enforce`, when it differs from its pin, or has none and `onNew` is `quarantine`.
    func isQuarantined(server: String, tool: String, fingerprint: ToolFingerprint?) -> Bool {
        guard mode == .enforce, let fingerprint else { return false }
        return state.withLock { state in
            PinState.of(pin: state.file.pin(server: server, tool: tool), current: fingerprint, mode: mode, onNew: onNew) == .quarantined
        }
    }

    /// The pin of a tool, for the refusal's message.
    func pin(server: String, tool: String) -> PinFile.Pin? {
        state.withLock { $0.file.pin(server: server, tool: tool) }
    }

    // MARK: Operators

    /// Every tool the proxy has seen listed, and every pinned tool it has not, with its state;
    /// sorted by server and tool.
    public func report() -> [PinReportRow] {
        state.withLock { state in
            PinReport.rows(file: state.file, listed: state.observed.mapValues { $0.mapValues { ($0.fingerprint, $0.definition) } },
                           mode: mode, onNew: onNew)
        }
    }

    /// Approves the definitions the proxy has seen listed for the tools `selector` covers (those
    /// not pinned with that fingerprint already), writes the file and tells the proxies, which
    /// rebuild their lists and send `notifications/tools/list_changed`. Returns the approved
    /// tools as `server/tool`.
    @discardableResult
    public func approve(_ selector: PinSelector) throws(PinFileError) -> [String] {
        let result = state.withLock { state -> Result<[String], PinFileError> in
            var approved: [(String, String, PinFile.Pin)] = []
            for (server, tools) in state.observed {
                for (tool, observation) in tools where selector.covers(server: server, tool: tool) {
                    guard state.file.pin(server: server, tool: tool)?.fingerprint != observation.fingerprint else { continue }
                    approved.append((server, tool, PinFile.Pin(fingerprint: observation.fingerprint, definition: observation.definition,
                                                               approvedAt: PinFile.timestamp(Date()))))
                }
            }
            guard !approved.isEmpty else { return .success([]) }
            if let failure = Self.merge(into: &state.file, path: path, { file in
                for (server, tool, pin) in approved { file.servers[server, default: [:]][tool] = pin }
            }) {
                return .failure(failure)
            }
            return .success(approved.map { "\($0.0)/\($0.1)" }.sorted())
        }
        let approved = try result.get()
        guard !approved.isEmpty else { return [] }
        logger.notice("approved tool definitions", metadata: ["tools": "\(approved.joined(separator: ","))"])
        pinsChanged()
        return approved
    }

    /// Reads the pin file again (it was approved elsewhere, e.g. by `mcp-proxy pins approve`)
    /// and tells the proxies when it changed.
    public func reloadFile() throws(PinFileError) {
        let fresh = try PinFile.load(path: path)
        let changed = state.withLock { state -> Bool in
            defer { state.file = fresh }
            return state.file != fresh
        }
        if changed { pinsChanged() }
    }

    /// Registers a proxy to be told when pins change; ``MCPProxy`` does it.
    func onChange(_ listener: @escaping @Sendable () -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    private func pinsChanged() {
        let servers = state.withLock { Array($0.observed.keys) }
        for server in servers { updateGauge(server: server) }
        for listener in listeners.withLock({ $0 }) { listener() }
    }

    // MARK: Recording

    private enum Event {
        case changed(tool: String, pin: PinFile.Pin, now: Observation)
        case restored(tool: String)
        case pinnedNew(tool: String, fingerprint: ToolFingerprint)
        case unapproved(tool: String, now: Observation)
    }

    private func record(_ event: Event, server: String) {
        switch event {
        case .changed(let tool, let pin, let now):
            stats.counter("mcp_proxy_tool_pin_changes_total", help: "Tool definitions an upstream listed that differ from their pin",
                          labels: ["upstream": server, "mode": mode.rawValue]).increment()
            let metadata: Logger.Metadata = [
                "upstream": "\(server)", "tool": "\(tool)", "pinned": "\(pin.fingerprint)", "current": "\(now.fingerprint)",
                "pinnedDefinition": "\(String(decoding: pin.definition.encoded, as: UTF8.self))",
                "currentDefinition": "\(String(decoding: now.definition.encoded, as: UTF8.self))",
            ]
            if mode == .enforce {
                logger.error("tool definition changed since it was approved: quarantined until approved (mcp-proxy pins list shows the change)", metadata: metadata)
            } else {
                logger.warning("tool definition changed since it was approved (mode warn: it stays; mcp-proxy pins list shows the change)", metadata: metadata)
            }
        case .restored(let tool):
            logger.notice("tool definition matches its pin again", metadata: ["upstream": "\(server)", "tool": "\(tool)"])
        case .pinnedNew:
            break   // logged once per list, in inspect
        case .unapproved(let tool, let now):
            let metadata: Logger.Metadata = [
                "upstream": "\(server)", "tool": "\(tool)", "current": "\(now.fingerprint)",
                "currentDefinition": "\(String(decoding: now.definition.encoded, as: UTF8.self))",
            ]
            logger.warning(mode == .enforce
                           ? "new tool without a pin: quarantined until approved (onNew: quarantine)"
                           : "new tool without a pin (onNew: quarantine; mode \(mode.rawValue) lets it through)", metadata: metadata)
        }
    }

    private func updateGauge(server: String) {
        let quarantined = state.withLock { state -> Int in
            guard mode == .enforce else { return 0 }
            return (state.observed[server] ?? [:]).reduce(0) { count, entry in
                let pin = state.file.pin(server: server, tool: entry.key)
                return count + (PinState.of(pin: pin, current: entry.value.fingerprint, mode: mode, onNew: onNew) == .quarantined ? 1 : 0)
            }
        }
        stats.gauge("mcp_proxy_tools_quarantined", help: "Tools withheld by pinning (mode enforce) until approved",
                    labels: ["upstream": server]).set(quarantined)
    }

    /// Applies `change` to the file as it is on disk now (another process, such as
    /// `mcp-proxy pins approve`, may have written it) and writes it; `file` becomes the result.
    /// Returns the failure, if any (then `file` holds the change in memory only).
    private static func merge(into file: inout PinFile, path: String, _ change: (inout PinFile) -> Void) -> PinFileError? {
        var fresh = (try? PinFile.load(path: path)) ?? file
        change(&fresh)
        // Pins only this process knows (kept in memory after a failed write) are not lost.
        for (server, tools) in file.servers {
            for (tool, pin) in tools where fresh.servers[server]?[tool] == nil {
                fresh.servers[server, default: [:]][tool] = pin
            }
        }
        file = fresh
        do {
            try fresh.save(path: path)
            return nil
        } catch {
            return error
        }
    }
}
