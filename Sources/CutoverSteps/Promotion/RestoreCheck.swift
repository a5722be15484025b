import CutoverAWS
import CutoverCore

/// The check before any saved action list goes back onto a route: every target group that takes
/// traffic in it must still carry the release tag it had when the list was saved. Otherwise the
/// "restore" would send traffic to whatever has been deployed there since (the next release, not yet
/// verified), so it is refused, naming each group with its tag then and now.
enum RestoreCheck {
    static func problem(restoring record: ReleaseJournal.GroupRecord, to traffic: UnitTraffic) -> String? {
        let unit = traffic.unit.id
        guard let releases = record.savedReleases else {
            return "\(unit): the journal holds its saved actions without the release tags of their groups (written by an older cutover), so cutover cannot prove they still run what they ran\nhint: compare the saved actions with the groups' \(Tag.release) tags and restore by hand"
        }
        var changes: [String] = []
        for (arn, then) in releases.sorted(by: { $0.key < $1.key }) {
            guard let group = traffic.groups.values.first(where: { $0.arn == arn }) else {
                changes.append("\(arn) (\(Tag.release) \(Self.shown(then)) when saved) is no longer \(unit)'s blue or green group")
                continue
            }
            let now = group.release ?? ""
            if now != then { changes.append("\(group.name): \(Tag.release) was \(Self.shown(then)) when saved, now \(Self.shown(now))") }
        }
        guard !changes.isEmpty else { return nil }
        return "\(unit): the saved actions would send traffic to groups that changed since they were saved: \(changes.joined(separator: "; "))\nhint: nothing was moved; send traffic to a release by promoting it (`cutover promote --release NAME`)"
    }

    private static func shown(_ release: String) -> String { release.isEmpty ? "untagged" : release }
}
