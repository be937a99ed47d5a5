import CMCPProxy
import MCPSecurity

/// A C policy function and its user data, asked through ``PolicyHookRegistry``.
struct HostPolicy: @unchecked Sendable {
    // The C caller promises the function may run on several threads at once and that
    // `userData` stays valid while the policy is registered (mcpproxy.h).
    let function: mcpproxy_policy_fn
    let userData: UnsafeMutableRawPointer?

    /// The capacity of the message buffer a denying policy may fill.
    static let messageCapacity = 1024

    func ask(_ question: PolicyHookRegistry.Question) -> PolicyHookRegistry.Answer {
        let roles = question.principal.roles.joined(separator: ",")
        return question.principal.subject.withCString { principal in
            roles.withCString { roles in
                question.method.withCString { method in
                    (question.name ?? "").withCString { name in
                        (question.upstream ?? "").withCString { upstream in
                            var request = mcpproxy_policy_request(principal: principal, roles: roles, method: method, name: name, upstream: upstream)
                            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Self.messageCapacity) { buffer in
                                buffer[0] = 0
                                let verdict = function(userData, &request, buffer.baseAddress, Self.messageCapacity)
                                guard verdict != MCPPROXY_ALLOW else { return .allow }
                                buffer[Self.messageCapacity - 1] = 0
                                let message = buffer.baseAddress.map { String(cString: $0) } ?? ""
                                return .deny(message.isEmpty ? "denied by the host's policy" : message)
                            }
                        }
                    }
                }
            }
        }
    }
}
