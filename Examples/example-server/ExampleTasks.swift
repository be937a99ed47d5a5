import Foundation
import JSONRPC
import NIOConcurrencyHelpers

/// `--tasks`: 2025-11-25 tasks in the handshake era. The initialize result declares
/// `tasks: {list, cancel, requests: {tools: {call}}}`; a `tools/call` with `params.task` answers
/// a `CreateTaskResult` (`{"task": {...}}`) at once and runs the tool in the background (after
/// 0.2 s, so a client sees `working` first); `tasks/get` and `tasks/cancel` answer the task,
/// `tasks/result` waits for it to end and answers the tool's result (or its error) with
/// `_meta["io.modelcontextprotocol/related-task"]`, and `tasks/list` lists the tasks. When a task
/// ends it sends `notifications/tasks/status` with the task. An
/// unknown task id gets -32602. Task ids are `task-1`, `task-2`, ... per process.
enum ExampleTasks {
    /// Set once by main.swift before serving.
    static let enabled = NIOLockedValueBox(false)

    /// The `tasks` capability when enabled; nothing otherwise.
    static var capabilities: [String: JSONValue] {
        guard enabled.withLockedValue({ $0 }) else { return [:] }
        return ["tasks": .object(["list": .object([:]), "cancel": .object([:]),
                                  "requests": .object(["tools": .object(["call": .object([:])])])])]
    }

    struct Entry {
        var task: [String: JSONValue]
        var outcome: Result<JSONValue, ToolError>?
    }

    static let store = NIOLockedValueBox<(next: Int, tasks: [String: Entry], order: [String])>((1, [:], []))

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    static func isTerminal(_ task: [String: JSONValue]) -> Bool {
        ["completed", "failed", "cancelled"].contains(task["status"]?.stringValue ?? "")
    }
}

extension ExampleServer {
    /// Serves task requests and task-augmented tool calls; false for anything else.
    func interceptTask(_ message: JSONRPCMessage) -> Bool {
        guard ExampleTasks.enabled.withLockedValue({ $0 }), message.envelope.kind == .request,
              let method = message.envelope.method, let idRange = message.envelope.idRange, let requestID = message.envelope.id else { return false }
        let id = message.rawBytes(idRange)
        let params = message.envelope.paramsRange.map { JSONValue(JSONView(message: message, range: $0)) } ?? .object([:])
        switch method {
        case .toolsCall:
            guard case .object(let metadata)? = params["task"] else { return false }
            startTask(params, ttl: metadata["ttl"] ?? .int(60000), requestID: requestID, id: id)
        case .tasksGet, .tasksCancel:
            let taskID = params["taskId"]?.stringValue ?? ""
            let task = ExampleTasks.store.withLockedValue { store -> [String: JSONValue]? in
                guard var entry = store.tasks[taskID] else { return nil }
                if method == .tasksCancel, !ExampleTasks.isTerminal(entry.task) {
                    entry.task["status"] = .string("cancelled")
                    entry.task["lastUpdatedAt"] = .string(ExampleTasks.now())
                    store.tasks[taskID] = entry
                }
                return entry.task
            }
            guard let task else { fail(id, .invalidParams, "Unknown task: \(taskID)"); return true }
            respond(id, .object(task))
        case .tasksResult:
            let taskID = params["taskId"]?.stringValue ?? ""
            Task { [self] in await answerResult(taskID, id: id) }
        case .tasksList:
            let tasks = ExampleTasks.store.withLockedValue { store in store.order.compactMap { store.tasks[$0]?.task } }
            respond(id, .object(["tasks": .array(tasks.map { .object($0) })]))
        default:
            return false
        }
        return true
    }

    private func startTask(_ params: JSONValue, ttl: JSONValue, requestID: JSONRPCID, id: [UInt8]) {
        let stamp = ExampleTasks.now()
        let taskID = ExampleTasks.store.withLockedValue { store -> String in
            let taskID = "task-\(store.next)"
            store.next += 1
            store.tasks[taskID] = ExampleTasks.Entry(task: [
                "taskId": .string(taskID), "status": .string("working"), "createdAt": .string(stamp),
                "lastUpdatedAt": .string(stamp), "ttl": ttl, "pollInterval": .int(100),
            ])
            store.order.append(taskID)
            return taskID
        }
        respond(id, .object(["task": .object(ExampleTasks.store.withLockedValue { $0.tasks[taskID]?.task } ?? [:])]))
        Task { [self] in
            try? await Task.sleep(for: .milliseconds(200))
            let outcome = await callTool(params, progressToken: nil, requestID: requestID)
            ExampleTasks.store.withLockedValue { store in
                guard var entry = store.tasks[taskID], !ExampleTasks.isTerminal(entry.task) else { return }
                entry.outcome = outcome
                if case .failure = outcome { entry.task["status"] = .string("failed") } else { entry.task["status"] = .string("completed") }
                entry.task["lastUpdatedAt"] = .string(ExampleTasks.now())
                store.tasks[taskID] = entry
            }
            if let task = ExampleTasks.store.withLockedValue({ $0.tasks[taskID]?.task }) {
                notify("notifications/tasks/status", .object(task))
            }
        }
    }

    private func answerResult(_ taskID: String, id: [UInt8]) async {
        let related: JSONValue = .object(["io.modelcontextprotocol/related-task": .object(["taskId": .string(taskID)])])
        while true {
            guard let entry = ExampleTasks.store.withLockedValue({ $0.tasks[taskID] }) else {
                fail(id, .invalidParams, "Unknown task: \(taskID)")
                return
            }
            if ExampleTasks.isTerminal(entry.task) {
                switch entry.outcome {
                case .success(.object(var result))?:
                    result["_meta"] = related
                    respond(id, .object(result))
                case .failure(let error)?:
                    fail(id, error.code, error.message)
                default:
                    fail(id, .invalidParams, "Task \(taskID) was cancelled")
                }
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
