import CutoverSteps
import Foundation
import Testing

@Suite struct BoundedMapTests {
    actor Gauge {
        var running = 0, most = 0
        func enter() { running += 1; most = max(most, running) }
        func leave() { running -= 1 }
    }

    @Test func keepsOrderAndNeverRunsMoreThanTheLimit() async {
        let gauge = Gauge()
        let results = await boundedMap(Array(0..<9), limit: 3) { value -> Int in
            await gauge.enter()
            try? await Task.sleep(for: .milliseconds(10 * (9 - value)))
            await gauge.leave()
            return value * value
        }
        #expect(results == (0..<9).map { $0 * $0 })
        #expect(await gauge.most == 3)
        #expect(await boundedMap([Int](), limit: 4) { $0 }.isEmpty)
    }
}
