import Logging
import MCPConfig
import MCPTransports

/// The last step of a run, stdio or network, whatever ended it (the client, a signal, an error):
/// every upstream process still running gets SIGTERM to its process group, then SIGKILL after
/// `proxy.upstreams.shutdownGraceSeconds`, and is reaped before the proxy exits. Sessions
/// normally close their upstreams first; this catches the ones still running when the proxy is
/// about to exit, which the parent-death signal would miss (grandchildren, `dieWithProxy: false`).
///
/// It ends every upstream process of this process, so a program that runs several gateways
/// calls it only when the last one stops.
public enum UpstreamProcessShutdown {
    /// Ends every upstream process still running.
    public static func endAll(config: ProxyConfig, logger: Logger) async {
        let running = ChildProcess.liveCount
        guard running > 0 else { return }
        let grace = Duration.milliseconds(Int((config.proxy.shutdownGraceSeconds * 1000).rounded()))
        logger.info("stopping upstream processes still running", metadata: ["count": "\(running)", "grace": "\(grace)"])
        let killed = await ChildProcess.terminateAll(grace: grace)
        if !killed.isEmpty {
            logger.warning(
                "upstream processes ignored SIGTERM for the grace period and were killed",
                metadata: ["pids": "\(killed.map(String.init).joined(separator: ","))"])
        }
    }
}
