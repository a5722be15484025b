import CutoverCore

extension UnitTraffic {
    /// Each colour's weight in the forward action of the route, as AWS holds it (absent colours are 0).
    var rawWeights: [Color: Int] {
        guard let index = forwardIndex else { return [:] }
        let split = actions[index].forwardGroups
        return groups.mapValues { info in split.filter { $0.arn == info.arn }.reduce(0) { $0 + $1.weight } }
    }

    /// Refuses to deploy onto `color` while it has any weight on the route. Ansible restarts the service
    /// on every host it deploys to, so a colour taking even 10% of a split would drop live requests; and
    /// in a split both colours take traffic, so neither may be deployed until promote or rollback ends it.
    func refuseIfLive(_ color: Color) throws {
        let weights = rawWeights
        guard (weights[color] ?? 0) > 0 else { return }
        let live = Color.allCases.map { "\($0.rawValue) \(weights[$0] ?? 0)" }.joined(separator: ", ")
        throw StepError(code: "deploy.live-color", message: """
            \(unit.id): refused to deploy onto \(color.rawValue): it takes traffic on \(point.description) (weights: \(live))
            hint: a deploy restarts every host of the colour; finish the promotion (cutover promote) or put traffic back \
            (cutover rollback) until one colour has weight 0, then deploy onto that one
            """)
    }
}
