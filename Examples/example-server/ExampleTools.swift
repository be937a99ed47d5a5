import Foundation
import JSONRPC

/// The example server's tools.
extension ExampleServer {
    func toolDefinitions() -> [JSONValue] {
        func tool(_ name: String, _ description: String, _ properties: [String: JSONValue] = [:], required: [String] = []) -> JSONValue {
            .object([
                "name": .string(name),
                "description": .string(description),
                "inputSchema": .object([
                    "type": .string("object"),
                    "properties": .object(properties),
                    "required": .array(required.map { .string($0) }),
                ]),
            ])
        }
        let string: JSONValue = .object(["type": .string("string")])
        let number: JSONValue = .object(["type": .string("number")])
        let integer: JSONValue = .object(["type": .string("integer")])
        var tools = [
            tool("echo", "Returns its text argument", ["text": string], required: ["text"]),
            tool("add", "Adds a and b", ["a": number, "b": number], required: ["a", "b"]),
            tool("progress", "Reports progress steps, then returns done", ["steps": integer, "delay_ms": integer]),
            tool("slow", "Sleeps for the given seconds; cancellable", ["seconds": number], required: ["seconds"]),
            tool("sample", "Asks the client's model (sampling) and returns its answer", ["prompt": string], required: ["prompt"]),
            tool("elicit", "Asks the user for a name (elicitation)", ["message": string]),
            tool("roots", "Returns the client's roots"),
            tool("fail", "Always fails (isError result)"),
            tool("crash", "Exits the server process without answering"),
            tool("bump", "Increments example://counter and notifies subscribers"),
            tool("log", "Sends a log message notification", ["level": string, "message": string]),
            tool("toggle_extra", "Adds or removes the tool 'extra' and announces tools/list_changed"),
            tool("big", "Returns a text of the given number of bytes", ["bytes": integer], required: ["bytes"]),
        ]
        if state.withLockedValue({ $0.extraTool }) {
            tools.append(tool("extra", "Appears after toggle_extra"))
        }
        if faults.enabled {
            tools += faultToolDefinitions()
        }
        tools += mutationToolDefinitions()
        return applyingDescriptionOverrides(tools)
    }

    static func text(_ text: String, isError: Bool = false) -> JSONValue {
        var result: [String: JSONValue] = ["content": .array([.object(["type": .string("text"), "text": .string(text)])])]
        if isError { result["isError"] = .bool(true) }
        return .object(result)
    }

    func callTool(_ params: JSONValue, progressToken: JSONRPCID?, requestID: JSONRPCID) async -> Result<JSONValue, ToolError> {
        let arguments = params["arguments"] ?? .object([:])
        let toolName = params["name"]?.stringValue ?? ""
        if let mutated = callMutation(toolName, arguments: arguments) { return .success(mutated) }
        switch toolName {
        case "echo":
            return .success(Self.text(arguments["text"]?.stringValue ?? ""))
        case "add":
            guard let a = arguments["a"]?.number, let b = arguments["b"]?.number else {
                return .success(Self.text("add needs numbers a and b", isError: true))
            }
            let sum = a + b
            return .success(Self.text(sum == sum.rounded() && abs(sum) < 1e15 ? String(Int64(sum)) : String(sum)))
        case "progress":
            let steps = Int(arguments["steps"]?.number ?? 3)
            let delay = Int(arguments["delay_ms"]?.number ?? 10)
            for step in 1...max(steps, 1) {
                if let token = progressToken {
                    notify("notifications/progress", .object([
                        "progressToken": token.jsonValue, "progress": .int(Int64(step)), "total": .int(Int64(steps)),
                        "message": .string("step \(step) of \(steps)"),
                    ]))
                }
                try? await Task.sleep(for: .milliseconds(delay))
            }
            return .success(Self.text("done"))
        case "slow":
            let seconds = arguments["seconds"]?.number ?? 1
            do {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            } catch {
                return .success(Self.text("cancelled"))
            }
            return .success(Self.text("slept \(seconds)s"))
        case "sample":
            let prompt = arguments["prompt"]?.stringValue ?? ""
            guard let answer = await ask("sampling/createMessage", .object([
                "messages": .array([.object(["role": .string("user"), "content": .object(["type": .string("text"), "text": .string(prompt)])])]),
                "maxTokens": .int(100),
            ])) else { return .failure(ToolError(code: .internalError, message: "client went away")) }
            return .success(Self.text("sampled: \(Self.resultValue(answer)?["content"]?["text"]?.stringValue ?? Self.errorText(answer))"))
        case "elicit":
            guard let answer = await ask("elicitation/create", .object([
                "message": .string(arguments["message"]?.stringValue ?? "What is your name?"),
                "requestedSchema": .object([
                    "type": .string("object"),
                    "properties": .object(["name": .object(["type": .string("string")])]),
                    "required": .array([.string("name")]),
                ]),
            ])) else { return .failure(ToolError(code: .internalError, message: "client went away")) }
            guard let result = Self.resultValue(answer) else { return .success(Self.text("error: \(Self.errorText(answer))", isError: true)) }
            let action = result["action"]?.stringValue ?? "?"
            let name = result["content"]?["name"]?.stringValue ?? ""
            return .success(Self.text("action=\(action) name=\(name)"))
        case "roots":
            guard let answer = await ask("roots/list", .object([:])) else {
                return .failure(ToolError(code: .internalError, message: "client went away"))
            }
            guard let result = Self.resultValue(answer) else { return .success(Self.text("error: \(Self.errorText(answer))", isError: true)) }
            let uris = result["roots"]?.arrayValue?.compactMap { $0["uri"]?.stringValue } ?? []
            return .success(Self.text(uris.joined(separator: "\n")))
        case "fail":
            return .success(Self.text("failed on purpose", isError: true))
        case "crash":
            FileHandle.standardError.write(Data("example-server \(name): crashing on request\n".utf8))
            exit(3)
        case "bump":
            let (value, subscribed) = state.withLockedValue { state -> (Int, Bool) in
                state.counter += 1
                return (state.counter, state.subscriptions.contains("example://counter"))
            }
            // Modern era: the listens that subscribed to the URI get it (routeModernNotification).
            if subscribed || ModernEra.current != nil {
                notify("notifications/resources/updated", .object(["uri": .string("example://counter")]))
            }
            return .success(Self.text(String(value)))
        case "log":
            notify("notifications/message", .object([
                "level": .string(arguments["level"]?.stringValue ?? "info"),
                "logger": .string("example"),
                "data": .string(arguments["message"]?.stringValue ?? ""),
            ]))
            return .success(Self.text("logged"))
        case "toggle_extra":
            let now = state.withLockedValue { state -> Bool in
                state.extraTool.toggle()
                return state.extraTool
            }
            notify("notifications/tools/list_changed", .object([:]))
            return .success(Self.text(now ? "extra added" : "extra removed"))
        case "extra":
            return .success(Self.text("extra from \(name)"))
        case "big":
            let count = max(0, min(Int(arguments["bytes"]?.number ?? 0), 64 << 20))
            return .success(Self.text(String(repeating: "x", count: count)))
        default:
            return .failure(ToolError(code: .invalidParams, message: "Unknown tool: \(toolName)"))
        }
    }

    static func resultValue(_ message: JSONRPCMessage) -> JSONValue? {
        message.envelope.resultRange.map { JSONValue(JSONView(message: message, range: $0)) }
    }

    static func errorText(_ message: JSONRPCMessage) -> String {
        message.envelope.errorRange.flatMap { JSONValue(JSONView(message: message, range: $0))["message"]?.stringValue } ?? "no answer"
    }
}

extension JSONValue {
    var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

extension JSONRPCID {
    var jsonValue: JSONValue {
        switch self {
        case .number(let value): return .int(value)
        case .string(let value): return .string(value)
        }
    }
}
