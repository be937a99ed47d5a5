/// A hashed timer wheel: many deadlines (one per in-flight request, say) kept in one value and
/// collected by whoever drives it, instead of one sleeping task per deadline.
///
/// Time is cut into ticks of `tickNanoseconds`; a key with deadline `d` lives in slot
/// `(d / tick) % slotCount`. ``advance(to:)`` visits only the slots of the ticks that passed
/// since the previous call (every slot once, if a whole rotation or more passed), and fires
/// the keys there whose deadline is ≤ `now`. A key due in a later rotation shares its slot
/// with nearer ones and is skipped until its own rotation comes, so it fires neither early nor
/// late: every key fires on the first ``advance(to:)`` whose `now` reaches its deadline, and
/// never before. Deadlines already past when scheduled fire on the next ``advance(to:)``.
///
/// Scheduling, rescheduling and cancelling are O(1) (amortized, as they use a dictionary);
/// advancing costs the keys in the visited slots. Choose `tick × slotCount` around the typical
/// deadline so most keys fire in their first rotation.
///
/// A value type: keep one inside whatever lock or actor drives it.
public struct TimerWheel<Key: Hashable & Sendable>: Sendable {
    /// Where a scheduled key is.
    private struct Entry: Sendable {
        /// When it fires, in clock nanoseconds.
        var deadline: UInt64
        /// Its slot.
        var slot: Int
        /// Its index within the slot.
        var index: Int
    }

    /// The length of one tick, in nanoseconds (at least 1).
    public let tickNanoseconds: UInt64
    /// How many slots the wheel has (at least 1): one rotation is `tick × slotCount`.
    public let slotCount: Int

    private var slots: [[Key]]
    private var entries: [Key: Entry] = [:]
    /// The tick of the last ``advance(to:)`` (or of `start`). Its slot may still hold keys
    /// due later within the tick, so the next advance visits it again.
    private var currentTick: UInt64
    /// The latest time passed to ``advance(to:)`` (or `start`).
    public private(set) var now: UInt64

    /// Creates an empty wheel.
    /// - Parameters:
    ///   - tickNanoseconds: the granularity of the wheel (default 10 ms); at least 1.
    ///   - slotCount: slots per rotation (default 512, so one rotation is about 5 s with the
    ///     default tick); at least 1.
    ///   - start: the current time, in the nanoseconds deadlines will be given in.
    public init(tickNanoseconds: UInt64 = 10_000_000, slotCount: Int = 512, start: UInt64) {
        self.tickNanoseconds = max(1, tickNanoseconds)
        self.slotCount = max(1, slotCount)
        self.slots = Array(repeating: [], count: self.slotCount)
        self.currentTick = start / self.tickNanoseconds
        self.now = start
    }

    /// How many keys are scheduled.
    public var count: Int { entries.count }

    /// Whether no key is scheduled.
    public var isEmpty: Bool { entries.isEmpty }

    /// The deadline of `key`, or `nil` when it is not scheduled.
    public func deadline(of key: Key) -> UInt64? { entries[key]?.deadline }

    /// Schedules `key` to fire at `deadline`; a key already scheduled is moved to the new
    /// deadline (it fires once, at the new one).
    public mutating func schedule(_ key: Key, at deadline: UInt64) {
        cancel(key)
        // A deadline in a tick already passed goes in the current slot, which the next
        // advance visits whatever its target.
        let tick = max(deadline / tickNanoseconds, currentTick)
        let slot = Int(tick % UInt64(slotCount))
        entries[key] = Entry(deadline: deadline, slot: slot, index: slots[slot].count)
        slots[slot].append(key)
    }

    /// Unschedules `key`; does nothing when it is not scheduled.
    public mutating func cancel(_ key: Key) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        remove(at: entry.index, inSlot: entry.slot)
    }

    /// Moves the wheel's time to `now` and returns every key whose deadline is ≤ `now`,
    /// unscheduling them. The order of the returned keys is unspecified. A `now` earlier than
    /// a previous one fires only keys already due at that earlier time.
    public mutating func advance(to now: UInt64) -> [Key] {
        let now = max(now, self.now)
        self.now = now
        let targetTick = now / tickNanoseconds
        var fired: [Key] = []
        guard !entries.isEmpty else {
            currentTick = targetTick
            return fired
        }
        let span = targetTick - currentTick
        if span >= UInt64(slotCount) {
            for slot in 0..<slotCount { collect(slot: slot, now: now, into: &fired) }
        } else {
            var tick = currentTick
            while true {
                collect(slot: Int(tick % UInt64(slotCount)), now: now, into: &fired)
                if tick == targetTick { break }
                tick += 1
            }
        }
        currentTick = targetTick
        return fired
    }

    /// Moves the keys of `slot` that are due at `now` into `fired`.
    private mutating func collect(slot: Int, now: UInt64, into fired: inout [Key]) {
        var index = 0
        while index < slots[slot].count {
            let key = slots[slot][index]
            guard let entry = entries[key], entry.deadline <= now else {
                index += 1
                continue
            }
            entries[key] = nil
            remove(at: index, inSlot: slot)
            fired.append(key)
        }
    }

    /// Removes the key at `index` of `slot` by moving the slot's last key into its place.
    private mutating func remove(at index: Int, inSlot slot: Int) {
        let last = slots[slot].count - 1
        if index != last {
            let moved = slots[slot][last]
            slots[slot][index] = moved
            entries[moved]?.index = index
        }
        slots[slot].removeLast()
    }
}
