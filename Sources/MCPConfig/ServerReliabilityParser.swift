/// Reads the pool and reliability keys of one `mcpServers` entry: `pool`, `health`, `breaker`,
/// `retry`, `timeoutSeconds`, `toolTimeouts`, `maxConcurrent`, `maxQueued` and `maxRSSMiB`
/// (`replicas` is ``ReplicaParser``'s).
enum ServerReliabilityParser {
    static let serverKeys = ["pool", "health", "breaker", "retry", "timeoutSeconds", "toolTimeouts",
                             "maxConcurrent", "maxQueued", "maxRSSMiB", "replicas"]
    static let poolKeys = ["mode", "size", "max", "idleTimeoutSeconds", "serverRequests", "maxChildren"]
    static let healthKeys = ["intervalSeconds", "timeoutSeconds"]
    static let breakerKeys = ["failureThreshold", "openSeconds", "countErrors"]
    static let retryKeys = ["attempts", "backoffMs"]

    static let poolHints = [
        "min": "write it as size (the upstream sessions kept open)",
        "minSize": "write it as size (the upstream sessions kept open)",
        "maxSize": "write it as max",
        "idleTimeout": "write it as idleTimeoutSeconds",
        "enabled": "a pool cannot be switched off; leave pool out for one shared upstream session",
    ]
    static let healthHints = ["enabled": "write health: false to switch health checks off"]
    static let breakerHints = [
        "enabled": "write breaker: false to switch the breaker off",
        "threshold": "write it as failureThreshold",
        "failures": "write it as failureThreshold",
    ]
    static let retryHints = [
        "enabled": "write retry: false (or attempts: 1) to switch retries off",
        "retries": "write it as attempts (how many tries in all, including the first)",
        "maxAttempts": "write it as attempts (how many tries in all, including the first)",
        "backoff": "write it as backoffMs, in milliseconds",
        "backoffSeconds": "write it as backoffMs, in milliseconds",
    ]

    /// The values read, with the defaults of ``ServerConfig`` for what is absent.
    struct Values {
        var pool = PoolSettings()
        var health: HealthSettings? = HealthSettings()
        var breaker: BreakerSettings? = BreakerSettings()
        var retry = RetrySettings()
        var timeoutSeconds: Double?
        var toolTimeouts: [ToolTimeout] = []
        var maxConcurrent: Int?
        var maxQueued = 256
        var maxRSSMiB = 0

        func apply(to server: inout ServerConfig) {
            server.pool = pool
            server.health = health
            server.breaker = breaker
            server.retry = retry
            server.timeoutSeconds = timeoutSeconds
            server.toolTimeouts = toolTimeouts
            server.maxConcurrent = maxConcurrent
            server.maxQueued = maxQueued
            server.maxRSSMiB = maxRSSMiB
        }
    }

    /// The largest `maxRSSMiB`: 1 PiB, so the byte count fits in an `Int` with room to spare.
    static let largestRSSMiB = 1 << 30

    /// Reads the keys from a server entry. `startsCommand`: whether the entry or one of its
    /// replicas is started with a command (else `maxRSSMiB` is a problem).
    static func read(_ mapping: ConfigNode.Mapping, at path: KeyPath, startsCommand: Bool, reader: inout ConfigReader) -> Values {
        var values = Values()
        if let value = reader.optional(mapping, "pool") {
            values.pool = readPool(value, at: path.key("pool"), reader: &reader)
        }
        if let value = reader.optional(mapping, "health") {
            values.health = readHealth(value, at: path.key("health"), reader: &reader)
        }
        if let value = reader.optional(mapping, "breaker") {
            values.breaker = readBreaker(value, at: path.key("breaker"), reader: &reader)
        }
        if let value = reader.optional(mapping, "retry") {
            values.retry = readRetry(value, at: path.key("retry"), reader: &reader)
        }
        if let value = reader.optional(mapping, "timeoutSeconds") {
            values.timeoutSeconds = reader.duration(value, at: path.key("timeoutSeconds"), allowZero: false)
        }
        if let value = reader.optional(mapping, "toolTimeouts") {
            values.toolTimeouts = readToolTimeouts(value, at: path.key("toolTimeouts"), reader: &reader)
        }
        if let value = reader.optional(mapping, "maxConcurrent") {
            values.maxConcurrent = reader.int(value, at: path.key("maxConcurrent"), minimum: 1)
        }
        if let value = reader.optional(mapping, "maxQueued"), let number = reader.int(value, at: path.key("maxQueued"), minimum: 0) {
            values.maxQueued = number
            if reader.optional(mapping, "maxConcurrent") == nil {
                reader.warning(path.key("maxQueued"), "has no effect without maxConcurrent: requests only wait when maxConcurrent are in flight", line: value.line)
            }
        }
        if let value = reader.optional(mapping, "maxRSSMiB") {
            let here = path.key("maxRSSMiB")
            if !startsCommand {
                reader.problem(here, "only used by servers started with a command (or with command replicas); remove it from this remote server",
                               line: mapping.entry("maxRSSMiB")?.keyLine)
            } else if let number = reader.int(value, at: here, in: 0...largestRSSMiB, meaning: "(0 = no cap)") {
                values.maxRSSMiB = number
            }
        }
        return values
    }

    // MARK: Sections

    /// `pool: { mode, size, max, idleTimeoutSeconds, serverRequests, maxChildren }`.
    private static func readPool(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> PoolSettings {
        var pool = PoolSettings()
        guard let mapping = reader.mapping(node, at: path, expected: "a pool mapping (\(poolKeys.joined(separator: ", ")))") else { return pool }
        reader.checkKeys(mapping, at: path, known: poolKeys, hints: poolHints, what: "pool")
        var modeKnown = true
        if let value = reader.optional(mapping, "mode") {
            if let text = reader.choice(value, at: path.key("mode"), allowed: PoolMode.allCases.map(\.rawValue)), let mode = PoolMode(rawValue: text) {
                pool.mode = mode
            } else {
                modeKnown = false
            }
        }
        var size: Int?
        if let value = reader.optional(mapping, "size") {
            size = reader.int(value, at: path.key("size"), minimum: 0)
            pool.size = size ?? pool.size
        }
        if let value = reader.optional(mapping, "max") {
            pool.max = reader.int(value, at: path.key("max"), minimum: 1)
        }
        if let value = reader.optional(mapping, "idleTimeoutSeconds"),
           let seconds = reader.duration(value, at: path.key("idleTimeoutSeconds"), allowZero: false) {
            pool.idleTimeoutSeconds = seconds
        }
        if let value = reader.optional(mapping, "serverRequests"),
           let text = reader.choice(value, at: path.key("serverRequests"), allowed: ServerRequestPolicy.allCases.map(\.rawValue)),
           let policy = ServerRequestPolicy(rawValue: text) {
            pool.serverRequests = policy
        }
        var maxChildren: Int?
        if let value = reader.optional(mapping, "maxChildren") {
            maxChildren = reader.int(value, at: path.key("maxChildren"), minimum: 0)
            pool.maxChildren = maxChildren ?? pool.maxChildren
        }

        guard modeKnown else { return pool }
        switch pool.mode {
        case .perSession:
            for (key, number) in [("size", size), ("max", pool.max)] {
                guard let number, number != 1, let entry = mapping.entry(key) else { continue }
                reader.problem(path.key(key),
                               "must be 1 in mode: perSession (each client session has exactly one upstream session), found \(number); cap the upstream sessions of all clients with maxChildren",
                               line: entry.value.line)
            }
        case .shared:
            if let maxChildren, maxChildren > 0, let entry = mapping.entry("maxChildren") {
                reader.problem(path.key("maxChildren"),
                               "only used with mode: perSession; in mode: shared, max caps the upstream sessions",
                               line: entry.value.line)
            }
            if let max = pool.max, let size, max < size, let entry = mapping.entry("max") {
                reader.problem(path.key("max"), "must be at least size (\(size)), found \(max)", line: entry.value.line)
            }
        }
        return pool
    }

    /// `health: { intervalSeconds, timeoutSeconds }`, `true` for the defaults, `false` for none.
    private static func readHealth(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> HealthSettings? {
        let mapping: ConfigNode.Mapping
        switch reader.toggle(node, at: path, expected: "a health mapping (intervalSeconds, timeoutSeconds), or false to switch health checks off") {
        case .on, .invalid: return HealthSettings()
        case .off: return nil
        case .section(let section): mapping = section
        }
        reader.checkKeys(mapping, at: path, known: healthKeys, hints: healthHints, what: "health")
        var health = HealthSettings()
        var intervalRead = true
        var timeoutRead = true
        if let value = reader.optional(mapping, "intervalSeconds") {
            let seconds = reader.duration(value, at: path.key("intervalSeconds"), allowZero: false)
            health.intervalSeconds = seconds ?? health.intervalSeconds
            intervalRead = seconds != nil
        }
        if let value = reader.optional(mapping, "timeoutSeconds") {
            let seconds = reader.duration(value, at: path.key("timeoutSeconds"), allowZero: false)
            health.timeoutSeconds = seconds ?? health.timeoutSeconds
            timeoutRead = seconds != nil
        }
        if intervalRead, timeoutRead, health.timeoutSeconds >= health.intervalSeconds {
            let interval = ConfigReader.formatted(health.intervalSeconds)
            let timeout = ConfigReader.formatted(health.timeoutSeconds)
            if let entry = mapping.entry("timeoutSeconds"), !entry.value.isNull {
                let source = reader.optional(mapping, "intervalSeconds") == nil ? ", the default" : ""
                reader.problem(path.key("timeoutSeconds"), "must be less than intervalSeconds (\(interval)\(source)), found \(timeout)", line: entry.value.line)
            } else if let entry = mapping.entry("intervalSeconds") {
                reader.problem(path.key("intervalSeconds"), "must be more than timeoutSeconds (\(timeout), the default), found \(interval); lower timeoutSeconds too", line: entry.value.line)
            }
        }
        return health
    }

    /// `breaker: { failureThreshold, openSeconds, countErrors }`, `true` for the defaults, `false`
    /// for none.
    private static func readBreaker(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> BreakerSettings? {
        let mapping: ConfigNode.Mapping
        switch reader.toggle(node, at: path, expected: "a breaker mapping (failureThreshold, openSeconds, countErrors), or false to switch the breaker off") {
        case .on, .invalid: return BreakerSettings()
        case .off: return nil
        case .section(let section): mapping = section
        }
        reader.checkKeys(mapping, at: path, known: breakerKeys, hints: breakerHints, what: "breaker")
        var breaker = BreakerSettings()
        if let value = reader.optional(mapping, "failureThreshold"), let number = reader.int(value, at: path.key("failureThreshold"), minimum: 1) {
            breaker.failureThreshold = number
        }
        if let value = reader.optional(mapping, "openSeconds"), let seconds = reader.duration(value, at: path.key("openSeconds"), allowZero: false) {
            breaker.openSeconds = seconds
        }
        if let value = reader.optional(mapping, "countErrors"), let flag = reader.bool(value, at: path.key("countErrors")) {
            breaker.countErrors = flag
        }
        return breaker
    }

    /// `retry: { attempts, backoffMs }`, `true` for the defaults, `false` for a single attempt.
    private static func readRetry(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> RetrySettings {
        let mapping: ConfigNode.Mapping
        switch reader.toggle(node, at: path, expected: "a retry mapping (attempts, backoffMs), or false for no retry") {
        case .on, .invalid: return RetrySettings()
        case .off: return .off
        case .section(let section): mapping = section
        }
        reader.checkKeys(mapping, at: path, known: retryKeys, hints: retryHints, what: "retry")
        var retry = RetrySettings()
        if let value = reader.optional(mapping, "attempts"),
           let number = reader.int(value, at: path.key("attempts"), in: RetrySettings.attemptRange, meaning: "(tries in all, including the first; 1 = no retry)") {
            retry.attempts = number
        }
        if let value = reader.optional(mapping, "backoffMs"), let milliseconds = reader.milliseconds(value, at: path.key("backoffMs")) {
            retry.backoffMs = milliseconds
        }
        return retry
    }

    /// `toolTimeouts: { "<glob>": seconds, ... }`, in file order.
    private static func readToolTimeouts(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> [ToolTimeout] {
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping of tool name globs to seconds, e.g. { \"slow_*\": 120 }") else { return [] }
        var timeouts: [ToolTimeout] = []
        for entry in mapping.entries {
            let here = path.key(entry.key)
            if let message = GlobSyntax.problem(in: entry.key) {
                reader.problem(here, message, line: entry.keyLine)
                continue
            }
            if let seconds = reader.duration(entry.value, at: here, allowZero: false) {
                timeouts.append(ToolTimeout(pattern: entry.key, seconds: seconds))
            }
        }
        return timeouts
    }
}
