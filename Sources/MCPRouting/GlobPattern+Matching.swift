extension GlobPattern {
    /// Whether `string` matches the whole pattern.
    public func matches(_ string: String) -> Bool {
        UTF8Buffer.with(string) { matches(buffer: $0) }
    }

    /// Whether the UTF-8 `bytes` match the whole pattern. Does not allocate when the collection has
    /// contiguous storage (arrays, native strings' `utf8`, NIO buffer views); otherwise it copies to
    /// the stack for the duration of the call.
    @inlinable
    public func matches<C: Collection>(utf8 bytes: C) -> Bool where C.Element == UInt8 {
        UTF8Buffer.with(bytes) { matches(buffer: $0) }
    }

    /// The matcher proper, over one contiguous buffer.
    @usableFromInline
    func matches(buffer input: UnsafeBufferPointer<UInt8>) -> Bool {
        program.matches(input)
    }
}
