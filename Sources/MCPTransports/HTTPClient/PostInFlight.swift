import AsyncHTTPClient

/// A POST of a `StreamableHTTPClientTransport` on its way, on whichever client carries it:
/// what `close` and the cancellation of a 2026-07-28 request need of it.
protocol PostInFlight: Sendable {
    /// Stops it; its completion still runs, with the outcome of a cancelled POST.
    func cancel()
    /// Returns once it has ended.
    func ended() async
}

extension LeanPost: PostInFlight {
    func ended() async {
        _ = try? await result.get()
    }
}

extension HTTPClient.Task: PostInFlight where Response == PostOutcome {
    func ended() async {
        _ = try? await futureResult.get()
    }
}
