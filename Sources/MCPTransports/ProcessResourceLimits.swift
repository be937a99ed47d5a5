/// Resource limits applied to a spawned upstream before it execs (`setrlimit`, soft and hard
/// limit alike, so the child cannot raise them again). `nil` leaves a limit as the proxy has it.
public struct ProcessResourceLimits: Sendable, Equatable {
    /// Address space in MiB (`RLIMIT_AS`). Runtimes that reserve large virtual ranges up front
    /// (the JVM, Go, V8) need generous values.
    public var memoryMB: Int?
    /// CPU time in seconds (`RLIMIT_CPU`); the kernel sends SIGXCPU, then SIGKILL, past it.
    public var cpuSeconds: Int?
    /// Open descriptors (`RLIMIT_NOFILE`).
    public var openFiles: Int?
    /// Processes of the child's user, counted across the whole system (`RLIMIT_NPROC`); not
    /// enforced for root.
    public var processes: Int?

    /// Creates limits; every one is optional.
    public init(memoryMB: Int? = nil, cpuSeconds: Int? = nil, openFiles: Int? = nil, processes: Int? = nil) {
        self.memoryMB = memoryMB
        self.cpuSeconds = cpuSeconds
        self.openFiles = openFiles
        self.processes = processes
    }
}
