import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Per-request credentials (``RemoteUpstreamConfiguration/credentials``): headers that are
/// rendered or fetched for each request instead of being fixed at `start`.
extension StreamableHTTPClientTransport {
    /// Fetches the credential headers in a task that `close` cancels and waits for, then calls
    /// `then` with them (or with why they could not be had). Calls `then` at once when closing.
    func fetchCredentials(
        _ credentials: any UpstreamCredentials,
        then: @escaping @Sendable (Result<[(name: String, value: String)], UpstreamCredentialError>) -> Void
    ) {
        let started = state.withLockedValue { state -> Bool in
            guard !state.closing else { return false }
            let id = state.nextTaskID
            state.nextTaskID += 1
            state.tasks[id] = Task { [self] in
                let result: Result<[(name: String, value: String)], UpstreamCredentialError>
                do throws(UpstreamCredentialError) {
                    result = .success(try await credentials.fetchHeaders())
                } catch {
                    result = .failure(error)
                }
                then(result)
                _ = self.state.withLockedValue { $0.tasks.removeValue(forKey: id) }
            }
            return true
        }
        if !started { then(.failure(UpstreamCredentialError("the transport is closing"))) }
    }

    /// The credential headers for a request of the rare paths (GET streams, DELETE): at hand, or
    /// fetched. An empty list when the upstream has no per-request credentials.
    func credentialHeaders() async -> Result<[(name: String, value: String)], UpstreamCredentialError> {
        guard let credentials = configuration.credentials else { return .success([]) }
        if let ready = credentials.readyHeaders() { return .success(ready) }
        do throws(UpstreamCredentialError) {
            return .success(try await credentials.fetchHeaders())
        } catch {
            return .failure(error)
        }
    }

    /// The reason a request failed because its credentials could not be had: the request was
    /// not sent, so the upstream saw nothing of it.
    static func credentialFailure(_ error: UpstreamCredentialError) -> PostOutcome {
        .failed("\(error.message); the request was not sent", status: nil)
    }
}

extension HTTPHeaders {
    /// Sets each of `headers`, replacing configured values of the same name.
    mutating func apply(_ headers: [(name: String, value: String)]) {
        for header in headers { replaceOrAdd(name: header.name, value: header.value) }
    }
}
