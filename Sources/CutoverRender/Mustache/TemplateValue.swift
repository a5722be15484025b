/// The data a template renders: what a Mustache tag can name.
///
/// A typed tree instead of reflection: a lookup is one dictionary probe, and a name that exists nowhere
/// can be told apart from one that is present but empty (`.null`), so a typo in a template is an error
/// rather than silently empty output.
public enum TemplateValue: Sendable, Equatable {
    case text(String)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])
    /// Present but empty: renders as nothing, a section over it is skipped.
    case null

    /// Mustache's falsey values: false, null, and the empty list.
    var isFalsey: Bool {
        switch self {
        case .bool(let value): !value
        case .null: true
        case .list(let items): items.isEmpty
        case .text, .object: false
        }
    }

    /// An optional string: `.null` when absent.
    static func text(_ value: String?) -> TemplateValue {
        value.map(TemplateValue.text) ?? .null
    }

    /// A list whose object items also get `first` and `last`, so a template can put separators between
    /// items (`{{^last}},{{/last}}`) without a non-standard transform.
    static func objects(_ items: [[String: TemplateValue]]) -> TemplateValue {
        .list(items.enumerated().map { index, item in
            var item = item
            item["first"] = .bool(index == 0)
            item["last"] = .bool(index == items.count - 1)
            return .object(item)
        })
    }
}

/// A view that renders through a template.
protocol TemplateRepresentable {
    var templateValue: TemplateValue { get }
}
