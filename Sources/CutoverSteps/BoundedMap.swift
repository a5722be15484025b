/// `body` applied to every element with at most `limit` running at once; results in input order.
public func boundedMap<Element: Sendable, T: Sendable>(_ elements: [Element], limit: Int,
                                                       _ body: @escaping @Sendable (Element) async -> T) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: elements.count)
        var pending = elements.indices.makeIterator()
        for _ in 0..<max(1, min(limit, elements.count)) {
            guard let index = pending.next() else { break }
            let element = elements[index]
            group.addTask { (index, await body(element)) }
        }
        while let (index, value) = await group.next() {
            results[index] = value
            if let next = pending.next() {
                let element = elements[next]
                group.addTask { (next, await body(element)) }
            }
        }
        return results.map { $0! }
    }
}
