/// A unified diff of two texts, as `diff -u` prints it, for `render --check` and `register --dry-run`.
public enum UnifiedDiff {
    /// The diff of `old` and `new` with `context` lines around each change; empty when they are equal.
    public static func diff(old: String, new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        if old == new { return "" }
        let a = lines(old), b = lines(new)
        let ops = editScript(a, b)
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        // Group operations into hunks: runs of changes with up to 2*context equal lines between them.
        var index = 0
        while index < ops.count {
            guard let firstChange = ops[index...].firstIndex(where: { $0.kind != .equal }) else { break }
            var end = firstChange
            var lastChange = firstChange
            while end < ops.count {
                if ops[end].kind != .equal {
                    lastChange = end
                } else if end - lastChange > 2 * context {
                    break
                }
                end += 1
            }
            let start = max(index, firstChange - context)
            let stop = min(ops.count, lastChange + context + 1)
            let hunk = ops[start..<stop]
            let oldStart = hunk.first!.oldLine, newStart = hunk.first!.newLine
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for op in hunk {
                switch op.kind {
                case .equal: out += " \(op.text)\n"
                case .delete: out += "-\(op.text)\n"
                case .insert: out += "+\(op.text)\n"
                }
            }
            index = stop
        }
        return out
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        // diff -u numbers an empty range by the line before it.
        count == 1 ? "\(start + 1)" : count == 0 ? "\(start),0" : "\(start + 1),\(count)"
    }

    private static func lines(_ text: String) -> [Substring] {
        if text.isEmpty { return [] }
        var result = text.split(separator: "\n", omittingEmptySubsequences: false)
        if text.hasSuffix("\n") { result.removeLast() }
        return result
    }

    struct Op {
        enum Kind { case equal, delete, insert }
        var kind: Kind
        var text: Substring
        /// 0-based position in the old and new text where this operation stands.
        var oldLine: Int
        var newLine: Int
    }

    /// Longest-common-subsequence edit script. Rendered files are a few hundred lines, so the quadratic
    /// table is small; common prefix and suffix are trimmed first, which is where most of it goes.
    static func editScript(_ a: [Substring], _ b: [Substring]) -> [Op] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let x = Array(a[prefix..<(a.count - suffix)]), y = Array(b[prefix..<(b.count - suffix)])
        var table = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            for j in stride(from: y.count - 1, through: 0, by: -1) {
                table[i][j] = x[i] == y[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var ops: [Op] = (0..<prefix).map { Op(kind: .equal, text: a[$0], oldLine: $0, newLine: $0) }
        var i = 0, j = 0
        while i < x.count || j < y.count {
            if i < x.count, j < y.count, x[i] == y[j] {
                ops.append(Op(kind: .equal, text: x[i], oldLine: prefix + i, newLine: prefix + j)); i += 1; j += 1
            } else if i < x.count, j == y.count || table[i + 1][j] >= table[i][j + 1] {
                // Deletions before insertions, as diff -u prints a changed line.
                ops.append(Op(kind: .delete, text: x[i], oldLine: prefix + i, newLine: prefix + j)); i += 1
            } else {
                ops.append(Op(kind: .insert, text: y[j], oldLine: prefix + i, newLine: prefix + j)); j += 1
            }
        }
        for k in 0..<suffix {
            ops.append(Op(kind: .equal, text: a[a.count - suffix + k], oldLine: a.count - suffix + k, newLine: b.count - suffix + k))
        }
        return ops
    }
}
