import MCPRouting

extension ProxySession {
    /// Why a tool or prompt name that resolved to nothing may still be meant for an upstream of
    /// this session: the name carries the namespace of an upstream with per-user credentials
    /// (``UpstreamDefinition/makePrincipalTransport``) that could not start for this session, for
    /// instance because its token exchange was refused. Nil otherwise (and for every upstream
    /// shared between sessions, whose failures are not this principal's own).
    func credentialFailure(for name: String) -> String? {
        for service in services where !service.isShared && service.definition.makePrincipalTransport != nil {
            guard case .prefix(let prefix, let separator) = service.definition.namespace,
                  name.hasPrefix(prefix + separator), service.isUnavailable,
                  let failure = service.state.withLock({ $0.lastFailure }) else { continue }
            return "upstream '\(service.name)' could not start for this session: \(failure.message)"
        }
        return nil
    }
}
