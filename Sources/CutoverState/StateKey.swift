/// The keys a store accepts: relative paths of non-empty segments, none `.`/`..` or starting with `.`
/// (the local store's lock and temporary files start with one), so a key maps to the same object in
/// every store and can never leave the store's directory or prefix.
enum StateKey {
    static func check(_ key: String, in location: String) throws {
        let problem: String? = if key.isEmpty || key.utf8.count > 512 {
            "must be 1 to 512 bytes long"
        } else if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            "contains a control character"
        } else if key.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0.hasPrefix(".") }) {
            "has an empty segment or one starting with '.'"
        } else {
            nil
        }
        if let problem {
            throw StateStoreError(location: location, operation: "use the key \(key.debugDescription)", underlying: "a key \(problem)",
                                  hint: "this is a bug in cutover: keys are relative paths such as system/environment/lock.json")
        }
    }

    /// Checks a `list` prefix: empty, or a key, or a key followed by `/`.
    static func checkPrefix(_ prefix: String, in location: String) throws {
        guard !prefix.isEmpty else { return }
        try check(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix, in: location)
    }
}
