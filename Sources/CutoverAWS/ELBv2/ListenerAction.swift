/// One action of a listener's default actions or of a rule, kept exactly as ELBv2 described it.
///
/// ModifyListener and ModifyRule replace the whole action list, so whatever cutover does not change
/// (order, redirects, fixed responses, authentication, stickiness) must go back byte for byte. The
/// action is therefore held as the Query protocol's own flat fields (`ForwardConfig.TargetGroups.member.1.Weight`
/// → `100`), in the order AWS gave them, with typed accessors only for the forward split cutover moves.
public struct ListenerAction: Sendable, Equatable, Codable {
    /// Field paths relative to the action, in AWS's order.
    public var fields: [Field]

    public struct Field: Sendable, Equatable, Codable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(fields: [Field]) {
        self.fields = fields
    }

    /// `forward`, `redirect`, `fixed-response`, `authenticate-oidc`, ...
    public var type: String { value("Type") ?? "" }

    public func value(_ key: String) -> String? {
        fields.first { $0.key == key }?.value
    }

    /// The forward split: each target group with its weight. A plain `TargetGroupArn` forward is one
    /// group at weight 1 (ELBv2's default); a non-forward action has none.
    public var forwardGroups: [WeightedTargetGroup] {
        guard type == "forward" else { return [] }
        var groups: [Int: WeightedTargetGroup] = [:]
        let prefix = "ForwardConfig.TargetGroups.member."
        for field in fields where field.key.hasPrefix(prefix) {
            let rest = field.key.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]) else { continue }
            var group = groups[index] ?? WeightedTargetGroup(arn: "", weight: 1)
            switch rest[rest.index(after: dot)...] {
            case "TargetGroupArn": group.arn = field.value
            case "Weight": group.weight = Int(field.value) ?? 0
            default: break
            }
            groups[index] = group
        }
        if groups.isEmpty, let arn = value("TargetGroupArn") {
            return [WeightedTargetGroup(arn: arn, weight: 1)]
        }
        return groups.keys.sorted().compactMap { groups[$0] }.filter { !$0.arn.isEmpty }
    }

    /// This action with its forward split replaced by `groups`, everything else kept in place. Always
    /// written as a ForwardConfig and without the top-level TargetGroupArn, which ELBv2 refuses next to
    /// a ForwardConfig of more than one group.
    public func withForwardGroups(_ groups: [WeightedTargetGroup]) -> ListenerAction {
        let replaced = { (key: String) in key == "TargetGroupArn" || key.hasPrefix("ForwardConfig.TargetGroups.") }
        let position = fields.firstIndex { replaced($0.key) } ?? fields.endIndex
        var kept = fields.filter { !replaced($0.key) }
        var inserted: [Field] = []
        for (offset, group) in groups.enumerated() {
            inserted.append(Field("ForwardConfig.TargetGroups.member.\(offset + 1).TargetGroupArn", group.arn))
            inserted.append(Field("ForwardConfig.TargetGroups.member.\(offset + 1).Weight", String(group.weight)))
        }
        kept.insert(contentsOf: inserted, at: position)  // every field before `position` was kept
        return ListenerAction(fields: kept)
    }

    /// The Query parameters for this action as item `index` of the list `listName` (`DefaultActions`).
    public func parameters(listName: String, index: Int) -> QueryParameters {
        var parameters = QueryParameters()
        for field in fields { parameters.add("\(listName).member.\(index).\(field.key)", field.value) }
        // Describe never returns an OIDC client secret, and Modify requires one unless told to keep the
        // existing secret: without this, a listener with OIDC authentication could not be shifted.
        if type == "authenticate-oidc", value("AuthenticateOidcConfig.ClientSecret") == nil,
           value("AuthenticateOidcConfig.UseExistingClientSecret") == nil {
            parameters.add("\(listName).member.\(index).AuthenticateOidcConfig.UseExistingClientSecret", "true")
        }
        return parameters
    }

    /// Reads one `<member>` of an action list.
    public init(xml: XMLNode) {
        var fields: [Field] = []
        Self.flatten(xml, prefix: "", into: &fields)
        self.fields = fields
    }

    /// Element paths become dotted keys; list items (`member`) get their 1-based index, as the Query
    /// protocol writes them. Empty leaves are dropped: AWS rejects empty values it never sent as such.
    private static func flatten(_ node: XMLNode, prefix: String, into fields: inout [Field]) {
        var memberIndex = 0
        for child in node.children {
            let key: String
            if child.name == "member" {
                memberIndex += 1
                key = prefix.isEmpty ? "member.\(memberIndex)" : "\(prefix).member.\(memberIndex)"
            } else {
                key = prefix.isEmpty ? child.name : "\(prefix).\(child.name)"
            }
            if child.children.isEmpty {
                if !child.text.isEmpty { fields.append(Field(key, child.text)) }
            } else {
                flatten(child, prefix: key, into: &fields)
            }
        }
    }
}

/// A target group in a forward action and its weight (0...999).
public struct WeightedTargetGroup: Sendable, Equatable, Codable {
    public var arn: String
    public var weight: Int
    public init(arn: String, weight: Int) {
        self.arn = arn
        self.weight = weight
    }
}
