import NIOCore
import NIOPosix

/// The event loops of an HTTP client's group, so that a transport can run a request on the
/// calling thread's loop: a message that the proxy sends from an event loop then goes out, and
/// its answer comes back, without crossing threads.
struct ClientEventLoops: Sendable {
    /// The client's group.
    let group: any EventLoopGroup
    /// Its loops.
    let members: [any EventLoop]

    /// The loops of `group`.
    init(_ group: any EventLoopGroup) {
        self.group = group
        self.members = Array(group.makeIterator())
    }

    /// The calling thread's event loop when it belongs to the group, else the group's next one.
    func preferred() -> any EventLoop {
        if let current = MultiThreadedEventLoopGroup.currentEventLoop, members.contains(where: { $0 === current }) {
            return current
        }
        return group.next()
    }
}
