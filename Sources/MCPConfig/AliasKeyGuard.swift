import CYaml

/// Yams checks each mapping for duplicated keys by hashing its keys, and hashing a key that is
/// (or contains) an alias walks the alias's whole expansion: a key that aliases an alias bomb
/// takes time exponential in the size of the text (a 440-byte input took seconds; found by
/// Fuzz/FuzzConfig). Configuration keys are plain names, so a document with an alias inside a
/// key is refused before Yams composes it. One pass over libyaml's events; nothing is expanded.
enum AliasKeyGuard {
    /// The 1-based line of the first alias inside a mapping key; nil if there is none, and also
    /// when the text does not parse (Yams then reports the syntax error).
    static func firstAliasInKey(_ text: String) -> Int? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            // One frame per open collection: a mapping alternates key and value; `inKey` says the
            // collection is itself (part of) a key.
            var frames: [(isMapping: Bool, nextIsKey: Bool, inKey: Bool)] = []
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let type = event.type
                if type == YAML_STREAM_END_EVENT { return nil }
                if type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT {
                    _ = frames.popLast()
                    continue
                }
                let isNode = type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT
                    || type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT
                guard isNode else { continue }
                var inKey = false
                if let last = frames.indices.last {
                    inKey = frames[last].inKey || (frames[last].isMapping && frames[last].nextIsKey)
                    if frames[last].isMapping { frames[last].nextIsKey.toggle() }
                }
                if type == YAML_ALIAS_EVENT, inKey {
                    return Int(event.start_mark.line) + 1
                }
                if type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT {
                    frames.append((isMapping: type == YAML_MAPPING_START_EVENT, nextIsKey: true, inKey: inKey))
                }
            }
            return nil
        }
    }
}
