/// What an action list does, independent of how ELBv2 happens to spell it: a read-back may add
/// defaults cutover never sent (stickiness off, a top-level `TargetGroupArn` beside a one-group
/// ForwardConfig), so "did the write apply" compares effects, not bytes. Order, every non-forward
/// field, each forward group's weight and the stickiness settings all count.
public struct ActionEffect: Sendable, Equatable {
    public var fields: [String: String]
    public var forward: [WeightedTargetGroup]
}

extension ListenerAction {
    public var effect: ActionEffect {
        var kept: [String: String] = [:]
        for field in fields {
            if type == "forward", field.key == "TargetGroupArn" || field.key.hasPrefix("ForwardConfig.TargetGroups.") { continue }
            kept[field.key] = field.value
        }
        // Stickiness is off unless AWS says it is on; its duration only matters when it is on.
        if type == "forward", kept["ForwardConfig.TargetGroupStickinessConfig.Enabled"] != "true" {
            kept["ForwardConfig.TargetGroupStickinessConfig.Enabled"] = nil
            kept["ForwardConfig.TargetGroupStickinessConfig.DurationSeconds"] = nil
        }
        return ActionEffect(fields: kept, forward: forwardGroups)
    }
}

extension Array where Element == ListenerAction {
    /// Whether two action lists send requests to the same places in the same way.
    public func sameEffect(as other: [ListenerAction]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.effect == $1.effect }
    }
}
