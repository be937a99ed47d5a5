import JSONRPC
import MCPRouting
import Synchronization

/// Policies a host program plugs into a running proxy (the C API's `mcpproxy_add_policy`, or a
/// Swift embedder): each is a function asked about the requests its globs match, added and
/// removed at any time. ``PolicyHookMiddleware`` asks them from the pipeline.
///
/// Requests no policy matches pay one atomic load when none is registered, and one short lock
/// plus the glob checks otherwise; they never reach a host function.
public final class PolicyHookRegistry: Sendable {
    /// What a policy is asked about one request.
    public struct Question: Sendable {
        /// Who is calling.
        public var principal: Principal
        /// The JSON-RPC method.
        public var method: String
        /// The tool or prompt name, or resource URI, as the client sent it; nil when none.
        public var name: String?
        /// The upstream routing chose; nil when the proxy answers the request itself.
        public var upstream: String?

        /// Creates a question.
        public init(principal: Principal, method: String, name: String?, upstream: String?) {
            self.principal = principal
            self.method = method
            self.name = name
            self.upstream = upstream
        }
    }

    /// A policy's answer.
    public enum Answer: Sendable, Equatable {
        /// The request goes on.
        case allow
        /// The request is refused with this message (-32003); it never reaches the upstream.
        case deny(String)
    }

    /// A policy function; it may run on several threads at once and must not block.
    public typealias Policy = @Sendable (Question) -> Answer

    private struct Entry: Sendable {
        let id: Int64
        let methods: GlobPattern?
        let names: GlobPattern?
        let policy: Policy
        let calls: CallCounter
    }

    /// Calls of one policy still running, so that removal can wait for them.
    private final class CallCounter: Sendable {
        let running = Atomic<Int>(0)
    }

    private let entries = Mutex<(list: [Entry], nextID: Int64)>(([], 1))
    private let count = Atomic<Int>(0)

    /// An empty registry.
    public init() {}

    /// Whether any policy is registered.
    public var isEmpty: Bool { count.load(ordering: .acquiring) == 0 }

    /// Registers `policy` for requests whose method matches `methods` and whose name matches
    /// `names` (nil or `*` matches everything; a request without a name matches only a nil or
    /// `*` name glob). Returns its id for ``remove(_:)``.
    ///
    /// - Throws: ``GlobPatternError`` for an invalid glob.
    @discardableResult
    public func add(methods: String?, names: String?, _ policy: @escaping Policy) throws(GlobPatternError) -> Int64 {
        let methodGlob = try Self.glob(methods)
        let nameGlob = try Self.glob(names)
        return entries.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.list.append(Entry(id: id, methods: methodGlob, names: nameGlob, policy: policy, calls: CallCounter()))
            count.store(state.list.count, ordering: .releasing)
            return id
        }
    }

    /// Nil (matches everything) for nil or `*`.
    private static func glob(_ text: String?) throws(GlobPatternError) -> GlobPattern? {
        guard let text, text != "*" else { return nil }
        return try GlobPattern(text)
    }

    /// Removes a policy; false for an unknown id. Calls already running finish before it
    /// returns, and none starts afterwards.
    @discardableResult
    public func remove(_ id: Int64) -> Bool {
        let removed = entries.withLock { state -> Entry? in
            guard let index = state.list.firstIndex(where: { $0.id == id }) else { return nil }
            let entry = state.list.remove(at: index)
            count.store(state.list.count, ordering: .releasing)
            return entry
        }
        guard let removed else { return false }
        while removed.calls.running.load(ordering: .acquiring) > 0 {
            usleep(200)
        }
        return true
    }

    /// Asks every matching policy in the order they were added; the first deny wins. Nil when
    /// no policy matched or all allowed.
    public func decide(principal: Principal, method: String, name: String?, upstream: String?) -> String? {
        guard !isEmpty else { return nil }
        let matching = entries.withLock { state -> [Entry] in
            state.list.filter { entry in
                guard entry.methods?.matches(method) ?? true else { return false }
                guard let glob = entry.names else { return true }
                return name.map(glob.matches) ?? false
            }.map { entry in
                // Counted under the lock, so a removal that took the entry out waits for this call.
                entry.calls.running.add(1, ordering: .acquiring)
                return entry
            }
        }
        guard !matching.isEmpty else { return nil }
        let question = Question(principal: principal, method: method, name: name, upstream: upstream)
        var denial: String?
        for entry in matching {
            if denial == nil, case .deny(let message) = entry.policy(question) {
                denial = message
            }
            entry.calls.running.subtract(1, ordering: .releasing)
        }
        return denial
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
