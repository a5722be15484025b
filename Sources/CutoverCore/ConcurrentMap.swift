import Dispatch

extension Array {
    /// `map` on all cores, results in the array's order. For CPU-bound work on independent elements
    /// (the environments of a config): reading, validating and rendering them one after the other left
    /// the second core idle for most of a large render.
    public func concurrentMap<T, Failure: Error>(_ transform: (Element) throws(Failure) -> T) throws(Failure) -> [T] {
        guard count > 1 else { return try map(transform) }
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Result<T, Failure>>.allocate(capacity: count)
        defer { results.deallocate() }
        // Each iteration writes only its own slot and reads the elements, which nothing changes until
        // concurrentPerform returns; `transform` must be safe to call from several threads at once
        // (the callers' closures read shared values and write nothing shared).
        nonisolated(unsafe) let elements = self
        withoutActuallyEscaping(transform) { transform in
            nonisolated(unsafe) let transform = transform
            DispatchQueue.concurrentPerform(iterations: count) { index in
                (results.baseAddress! + index).initialize(to: Result { () throws(Failure) -> T in try transform(elements[index]) })
            }
        }
        defer { results.baseAddress!.deinitialize(count: count) }
        var values: [T] = []
        values.reserveCapacity(count)
        for result in results { values.append(try result.get()) }
        return values
    }
}
