/// A possibly schema-qualified name (`"User"`, `public."User"`, `audit.events`) as PostgreSQL
/// resolves it, plus the text it was written as, for messages.
struct ObjectName: Sendable, Equatable {
    /// The schema, when the name was qualified.
    var schema: String?
    /// The object's own name, case-folded like PostgreSQL does.
    var name: String
    /// The name as written in the file.
    var source: String

    /// Whether two references can be the same object. An unqualified name resolves through the
    /// search path, which the lint cannot see, so it matches the same name in any schema.
    func matches(_ other: ObjectName) -> Bool {
        guard name == other.name else { return false }
        guard let schema, let otherSchema = other.schema else { return true }
        return schema == otherSchema
    }
}

extension [ObjectName] {
    /// Whether any name in the list can be `name`.
    func containsMatch(_ name: ObjectName) -> Bool {
        contains { $0.matches(name) }
    }
}
