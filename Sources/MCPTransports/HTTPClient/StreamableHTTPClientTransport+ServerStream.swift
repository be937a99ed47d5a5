import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension StreamableHTTPClientTransport {
    /// Opens (or reopens) the GET stream for server-initiated messages, once the proxy has sent
    /// `notifications/initialized`.
    func openServerStream() {
        let previous = state.withLockedValue { state -> Task<Void, Never>? in
            guard !state.closing, !state.renewing, state.serverStreamWanted else { return nil }
            let previous = state.serverStream
            state.serverStream = Task { [weak self] in await self?.runServerStream() }
            return previous
        }
        previous?.cancel()
    }

    /// Keeps the GET stream open: reconnects after the server's `retry` (1 s by default) with
    /// `Last-Event-ID`, backing off to 30 s while attempts bring nothing. Ends on 405 (no stream
    /// offered), on another 4xx, on 404 (session gone: a renewal reopens it) and on cancellation.
    private func runServerStream() async {
        var lastEventID = ""
        var retry = Duration.seconds(1)
        var fruitless = 0
        while !Task.isCancelled {
            guard let (client, requests) = connection() else { return }
            let ticket = state.withLockedValue { state -> SessionTicket? in state.renewing ? nil : state.ticket }
            guard let ticket else { return }
            var request = requests.make(.GET, accept: UpstreamHTTPRequests.eventStream)
            switch await credentialHeaders() {
            case .success(let headers):
                request.headers.apply(headers)
            case .failure(let error):
                logger.warning("the GET stream is not opened: \(error.message); server-initiated messages arrive only on POST responses")
                return
            }
            ticket.apply(to: &request.headers)
            if !lastEventID.isEmpty {
                request.headers.replaceOrAdd(name: "Last-Event-ID", value: lastEventID)
            }
            do {
                let response = try await client.execute(request, deadline: .now() + TimeAmount(configuration.requestTimeout))
                let status = response.status.code
                switch status {
                case 200..<300 where ResponseContent(response) == .eventStream:
                    var parser = ServerSentEventParser(maxEventBytes: configuration.maxMessageBytes)
                    var events = 0
                    let error = await response.body.consumeEvents(with: &parser) { output in
                        events += 1
                        _ = handle(output)
                        return true
                    }
                    if !parser.lastEventID.isEmpty { lastEventID = parser.lastEventID }
                    if let value = parser.reconnectionTime { retry = .milliseconds(min(value, 30_000)) }
                    fruitless = events > 0 ? 0 : fruitless + 1
                    logger.debug("server stream ended; reopening", metadata: ["cause": "\(error.map(describeHTTPError) ?? "closed by the server")"])
                case 200..<300:
                    _ = await response.body.errorExcerpt()
                    logger.warning("the server answered the GET stream with HTTP \(status) but no event stream; server-initiated messages arrive only on POST responses")
                    return
                case 405:
                    _ = await response.body.errorExcerpt()
                    logger.debug("the server offers no GET stream (405); server-initiated messages arrive only on POST responses")
                    return
                case 404 where ticket.sessionID != nil:
                    _ = await response.body.errorExcerpt()
                    logger.notice("the server no longer knows the session (HTTP 404 on the GET stream); re-initializing")
                    startRenewal(after: ticket)
                    return
                case 400..<500:
                    let detail = await response.body.errorExcerpt()
                    logger.warning("the server refused the GET stream with HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)"); server-initiated messages arrive only on POST responses")
                    return
                default:
                    _ = await response.body.errorExcerpt()
                    fruitless += 1
                    logger.debug("server stream answered HTTP \(status); retrying")
                }
            } catch {
                if Task.isCancelled { return }
                fruitless += 1
                logger.debug("server stream failed: \(describeHTTPError(error)); retrying")
            }
            let backoff = fruitless == 0 ? retry : min(.seconds(30), retry * (1 << min(fruitless - 1, 5)))
            do {
                try await Task.sleep(for: backoff)
            } catch {
                return
            }
        }
    }
}
