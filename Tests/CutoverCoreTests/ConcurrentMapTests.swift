import CutoverCore
import Synchronization
import Testing

@Suite("concurrentMap")
struct ConcurrentMapTests {
    struct Failure: Error, Equatable { var index: Int }

    @Test func keepsTheOrderAndRunsEveryElementOnce() {
        let calls = Atomic<Int>(0)
        let squares = Array(0..<500).concurrentMap { value -> Int in
            calls.add(1, ordering: .relaxed)
            return value * value
        }
        #expect(squares == (0..<500).map { $0 * $0 })
        #expect(calls.load(ordering: .relaxed) == 500)
        #expect([Int]().concurrentMap { $0 }.isEmpty)
        #expect([7].concurrentMap { $0 + 1 } == [8])
    }

    /// Every element runs even when some fail; the error thrown is the one of the first failing element,
    /// as a plain `map` would throw (file order for the config's environments).
    @Test func throwsTheFirstFailureInOrder() {
        let calls = Atomic<Int>(0)
        #expect(throws: Failure(index: 3)) {
            _ = try Array(0..<64).concurrentMap { (value: Int) throws(Failure) -> Int in
                calls.add(1, ordering: .relaxed)
                if value == 3 || value == 40 { throw Failure(index: value) }
                return value
            }
        }
        #expect(calls.load(ordering: .relaxed) == 64)
    }
}
