/// The console's picture of one group: `web   [#####.....] green 50%  4/4 healthy`. Ten cells, one per
/// 10%, filled for the colour being promoted to; the percentage and the health are written out, so a
/// log (or a screen reader) never depends on the bar.
public enum TextBar {
    public static let cells = 10

    /// `[#####.....]` for 50 (rounded to the nearest cell; any traffic shows at least one cell, and
    /// anything short of 100 leaves at least one empty).
    public static func bar(percent: Int) -> String {
        let clamped = max(0, min(100, percent))
        var filled = Int((Double(clamped) / 100 * Double(cells)).rounded())
        if clamped > 0 { filled = max(filled, 1) }
        if clamped < 100 { filled = min(filled, cells - 1) }
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: cells - filled) + "]"
    }

    /// One line: the unit padded to `width`, the bar, the colour and its share, healthy/total.
    public static func line(unit: String, width: Int, color: String, percent: Int, healthy: Int?, total: Int?) -> String {
        let padded = unit.count >= width ? unit : unit + String(repeating: " ", count: width - unit.count)
        var text = "\(padded) \(bar(percent: percent)) \(color) \(percent)%"
        if let healthy, let total { text += "  \(healthy)/\(total) healthy" }
        return text
    }
}
