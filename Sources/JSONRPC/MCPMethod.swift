/// MCP method names. Known names are matched from bytes without allocating; anything else is `.other`.
public enum MCPMethod: Hashable, Sendable, CustomStringConvertible {
    /// `initialize`
    case initialize
    /// `ping`
    case ping
    /// `tools/list`
    case toolsList
    /// `tools/call`
    case toolsCall
    /// `resources/list`
    case resourcesList
    /// `resources/templates/list`
    case resourcesTemplatesList
    /// `resources/read`
    case resourcesRead
    /// `resources/subscribe`
    case resourcesSubscribe
    /// `resources/unsubscribe`
    case resourcesUnsubscribe
    /// `prompts/list`
    case promptsList
    /// `prompts/get`
    case promptsGet
    /// `completion/complete`
    case completionComplete
    /// `logging/setLevel`
    case loggingSetLevel
    /// `sampling/createMessage`
    case samplingCreateMessage
    /// `elicitation/create`
    case elicitationCreate
    /// `roots/list`
    case rootsList
    /// `tasks/get`
    case tasksGet
    /// `tasks/result`
    case tasksResult
    /// `tasks/cancel`
    case tasksCancel
    /// `tasks/list`
    case tasksList
    /// `server/discover` (2026-07-28)
    case serverDiscover
    /// `subscriptions/listen` (2026-07-28)
    case subscriptionsListen
    /// `notifications/initialized`
    case initialized
    /// `notifications/cancelled`
    case cancelled
    /// `notifications/progress`
    case progress
    /// `notifications/message`
    case message
    /// `notifications/resources/updated`
    case resourcesUpdated
    /// `notifications/resources/list_changed`
    case resourcesListChanged
    /// `notifications/tools/list_changed`
    case toolsListChanged
    /// `notifications/prompts/list_changed`
    case promptsListChanged
    /// `notifications/roots/list_changed`
    case rootsListChanged
    /// `notifications/elicitation/complete`
    case elicitationComplete
    /// `notifications/tasks/status`
    case tasksStatus
    /// Any other method, with its wire name.
    case other(String)

    /// Maps a wire name to its case (`.other` for unknown names).
    public init(name: String) {
        var name = name
        let known = name.withUTF8 { utf8 in
            MCPMethod.known(UnsafeRawBufferPointer(utf8))
        }
        self = known ?? .other(name)
    }

    /// The wire name, e.g. `tools/call`.
    public var name: String {
        switch self {
        case .initialize: return "initialize"
        case .ping: return "ping"
        case .toolsList: return "tools/list"
        case .toolsCall: return "tools/call"
        case .resourcesList: return "resources/list"
        case .resourcesTemplatesList: return "resources/templates/list"
        case .resourcesRead: return "resources/read"
        case .resourcesSubscribe: return "resources/subscribe"
        case .resourcesUnsubscribe: return "resources/unsubscribe"
        case .promptsList: return "prompts/list"
        case .promptsGet: return "prompts/get"
        case .completionComplete: return "completion/complete"
        case .loggingSetLevel: return "logging/setLevel"
        case .samplingCreateMessage: return "sampling/createMessage"
        case .elicitationCreate: return "elicitation/create"
        case .rootsList: return "roots/list"
        case .tasksGet: return "tasks/get"
        case .tasksResult: return "tasks/result"
        case .tasksCancel: return "tasks/cancel"
        case .tasksList: return "tasks/list"
        case .serverDiscover: return "server/discover"
        case .subscriptionsListen: return "subscriptions/listen"
        case .initialized: return "notifications/initialized"
        case .cancelled: return "notifications/cancelled"
        case .progress: return "notifications/progress"
        case .message: return "notifications/message"
        case .resourcesUpdated: return "notifications/resources/updated"
        case .resourcesListChanged: return "notifications/resources/list_changed"
        case .toolsListChanged: return "notifications/tools/list_changed"
        case .promptsListChanged: return "notifications/prompts/list_changed"
        case .rootsListChanged: return "notifications/roots/list_changed"
        case .elicitationComplete: return "notifications/elicitation/complete"
        case .tasksStatus: return "notifications/tasks/status"
        case .other(let name): return name
        }
    }

    /// The wire name.
    public var description: String { name }

    /// True for the `notifications/...` names MCP defines.
    public var isNotification: Bool {
        switch self {
        case .initialized, .cancelled, .progress, .message, .resourcesUpdated, .resourcesListChanged,
            .toolsListChanged, .promptsListChanged, .rootsListChanged, .elicitationComplete, .tasksStatus:
            return true
        case .other(let name): return name.hasPrefix("notifications/")
        default: return false
        }
    }

    /// The known case whose wire name is exactly `bytes`, or nil. Does not allocate or retain.
    static func known(_ bytes: UnsafeRawBufferPointer) -> MCPMethod? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let count = bytes.count
        func matches(_ name: StaticString) -> Bool {
            JSONCursor.equals(base, count, name)
        }
        switch count {
        case 4:
            if matches("ping") { return .ping }
        case 9:
            if matches("tasks/get") { return .tasksGet }
        case 10:
            if matches("initialize") { return .initialize }
            if matches("tools/list") { return .toolsList }
            if matches("tools/call") { return .toolsCall }
            if matches("roots/list") { return .rootsList }
            if matches("tasks/list") { return .tasksList }
        case 11:
            if matches("prompts/get") { return .promptsGet }
        case 12:
            if matches("prompts/list") { return .promptsList }
            if matches("tasks/result") { return .tasksResult }
            if matches("tasks/cancel") { return .tasksCancel }
        case 14:
            if matches("resources/list") { return .resourcesList }
            if matches("resources/read") { return .resourcesRead }
        case 15:
            if matches("server/discover") { return .serverDiscover }
        case 16:
            if matches("logging/setLevel") { return .loggingSetLevel }
        case 18:
            if matches("elicitation/create") { return .elicitationCreate }
        case 19:
            if matches("resources/subscribe") { return .resourcesSubscribe }
            if matches("completion/complete") { return .completionComplete }
        case 20:
            if matches("subscriptions/listen") { return .subscriptionsListen }
        case 21:
            if matches("resources/unsubscribe") { return .resourcesUnsubscribe }
            if matches("notifications/message") { return .message }
        case 22:
            if matches("sampling/createMessage") { return .samplingCreateMessage }
            if matches("notifications/progress") { return .progress }
        case 23:
            if matches("notifications/cancelled") { return .cancelled }
        case 24:
            if matches("resources/templates/list") { return .resourcesTemplatesList }
        case 25:
            if matches("notifications/initialized") { return .initialized }
        case 26:
            if matches("notifications/tasks/status") { return .tasksStatus }
        case 31:
            if matches("notifications/resources/updated") { return .resourcesUpdated }
        case 32:
            if matches("notifications/tools/list_changed") { return .toolsListChanged }
            if matches("notifications/roots/list_changed") { return .rootsListChanged }
        case 34:
            if matches("notifications/prompts/list_changed") { return .promptsListChanged }
            if matches("notifications/elicitation/complete") { return .elicitationComplete }
        case 36:
            if matches("notifications/resources/list_changed") { return .resourcesListChanged }
        default: break
        }
        return nil
    }
}
