import Foundation
import JSONRPC
import MCPRouting
import Synchronization
import Testing
@testable import MCPSecurity

private struct HookContext: PrincipalContext, RoutedContext {
    var principal: Principal
    var upstreamName: String?
}

/// ``PolicyHookRegistry`` and ``PolicyHookMiddleware``: host policies matched by globs.
@Suite struct PolicyHookTests {
    private let alice = Principal(subject: "alice", roles: ["dev", "ops"], method: .apiKey)

    private func call(_ method: String, _ params: String) throws -> MCPCall {
        let bytes = JSONRPCEncoder.request(idBytes: Array("1".utf8), method: method, params: Array(params.utf8))
        let message = try JSONRPCScanner().scanMessage(bytes)
        return MCPCall(message: message, method: MCPMethod(name: method), idBytes: Array("1".utf8), receivedAt: 0)
    }

    /// Runs the stage once; returns the verdict and whether `next` was reached.
    private func run(_ registry: PolicyHookRegistry, _ call: MCPCall, upstream: String? = "alpha") -> (MCPVerdict, Bool) {
        let stage = PolicyHookMiddleware<HookContext>(registry: registry)
        var call = call
        var context = HookContext(principal: alice, upstreamName: upstream)
        var reached = false
        let verdict = stage.handle(&call, context: &context) { _, _ in
            reached = true
            return .forwarded
        }
        return (verdict, reached)
    }

    @Test func anEmptyRegistryPassesEverythingOn() throws {
        let registry = PolicyHookRegistry()
        #expect(registry.isEmpty)
        let (verdict, reached) = run(registry, try call("tools/call", #"{"name":"alpha__echo"}"#))
        #expect(reached)
        guard case .forwarded = verdict else { Issue.record("\(verdict)"); return }
    }

    @Test(arguments: [
        ("tools/call", #"{"name":"alpha__echo"}"#, true),
        ("tools/call", #"{"name":"beta__echo"}"#, false),
        ("prompts/get", #"{"name":"alpha__echo"}"#, false),
        ("tools/list", #"{}"#, false),
    ])
    func aPolicyIsAskedOnlyAboutWhatItsGlobsMatch(method: String, params: String, asked: Bool) throws {
        let registry = PolicyHookRegistry()
        let questions = Mutex<[PolicyHookRegistry.Question]>([])
        try registry.add(methods: "tools/call", names: "alpha__*") { question in
            questions.withLock { $0.append(question) }
            return .deny("no")
        }
        let (verdict, reached) = run(registry, try call(method, params))
        #expect(reached == !asked)
        let seen = questions.withLock { $0 }
        #expect(seen.count == (asked ? 1 : 0))
        if asked {
            #expect(seen[0].principal.subject == "alice")
            #expect(seen[0].method == "tools/call")
            #expect(seen[0].name == "alpha__echo")
            #expect(seen[0].upstream == "alpha")
            guard case .refused(let refusal) = verdict else { Issue.record("\(verdict)"); return }
            #expect(refusal.code == .accessDenied)
            #expect(refusal.reason == "policy")
            #expect(refusal.message == "Access denied: no")
            #expect(String(decoding: refusal.data ?? [], as: UTF8.self) == #"{"reason":"policy","detail":"no"}"#)
        }
    }

    @Test func aRequestWithoutANameMatchesOnlyAnyNameAndResourcesMatchByURI() throws {
        let registry = PolicyHookRegistry()
        let asked = Mutex(0)
        try registry.add(methods: "*", names: "file:///secret/*") { _ in
            asked.withLock { $0 += 1 }
            return .deny("secret")
        }
        #expect(run(registry, try call("tools/list", "{}")).1, "no name: a name glob does not match")
        #expect(!run(registry, try call("resources/read", #"{"uri":"file:///secret/a"}"#)).1)
        #expect(run(registry, try call("resources/read", #"{"uri":"file:///public/a"}"#)).1)
        #expect(asked.withLock { $0 } == 1)

        let any = PolicyHookRegistry()
        try any.add(methods: nil, names: nil) { _ in .deny("") }
        let (verdict, reached) = run(any, try call("tools/list", "{}"))
        #expect(!reached, "nil globs match everything, nameless requests too")
        guard case .refused(let refusal) = verdict else { Issue.record("\(verdict)"); return }
        #expect(refusal.message == "Access denied: denied by policy", "an empty message gets a default")
    }

    @Test func policiesRunInOrderAndTheFirstDenyWins() throws {
        let registry = PolicyHookRegistry()
        let order = Mutex<[String]>([])
        try registry.add(methods: nil, names: nil) { _ in order.withLock { $0.append("first") }; return .allow }
        try registry.add(methods: nil, names: nil) { _ in order.withLock { $0.append("second") }; return .deny("second says no") }
        try registry.add(methods: nil, names: nil) { _ in order.withLock { $0.append("third") }; return .deny("third says no") }
        #expect(registry.decide(principal: alice, method: "tools/call", name: "x", upstream: nil) == "second says no")
        #expect(order.withLock { $0 } == ["first", "second"], "after a deny no later policy is asked")
    }

    @Test func removalStopsFurtherCallsAndUnknownIDsAreReported() throws {
        let registry = PolicyHookRegistry()
        let id = try registry.add(methods: nil, names: nil) { _ in .deny("no") }
        #expect(!registry.isEmpty)
        #expect(registry.remove(id))
        #expect(!registry.remove(id))
        #expect(registry.isEmpty)
        #expect(registry.decide(principal: alice, method: "tools/call", name: "x", upstream: nil) == nil)
    }

    @Test func removalWaitsForACallStillRunning() async throws {
        let registry = PolicyHookRegistry()
        let inside = Atomic<Bool>(false)
        let release = Atomic<Bool>(false)
        let finished = Atomic<Bool>(false)
        let id = try registry.add(methods: nil, names: nil) { _ in
            inside.store(true, ordering: .sequentiallyConsistent)
            while !release.load(ordering: .sequentiallyConsistent) { usleep(100) }
            finished.store(true, ordering: .sequentiallyConsistent)
            return .allow
        }
        // Plain threads: both sides block, and blocking the few cooperative threads would stall
        // the test itself.
        let principal = alice
        let callerResult = Mutex<String??>(nil)
        Thread.detachNewThread {
            let answer = registry.decide(principal: principal, method: "m", name: nil, upstream: nil)
            callerResult.withLock { $0 = .some(answer) }
        }
        while !inside.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(1)) }
        let removed = Atomic<Int>(0)  // 0 running, 1 true, 2 false
        Thread.detachNewThread {
            removed.store(registry.remove(id) ? 1 : 2, ordering: .sequentiallyConsistent)
        }
        try await Task.sleep(for: .milliseconds(50))
        let removedEarly = removed.load(ordering: .sequentiallyConsistent)
        #expect(removedEarly == 0, "remove waits while the call runs")
        release.store(true, ordering: .sequentiallyConsistent)
        while removed.load(ordering: .sequentiallyConsistent) == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let removedResult = removed.load(ordering: .sequentiallyConsistent)
        #expect(removedResult == 1)
        let finishedFirst = finished.load(ordering: .sequentiallyConsistent)
        #expect(finishedFirst, "remove returned only after the running call finished")
        while callerResult.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(1)) }
        #expect(callerResult.withLock { $0 } == .some(nil))
    }

    @Test func invalidGlobsAreRejected() {
        let registry = PolicyHookRegistry()
        #expect(throws: GlobPatternError.self) { try registry.add(methods: "[", names: nil) { _ in .allow } }
        #expect(registry.isEmpty)
    }
}
