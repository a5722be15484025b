import ArgumentParser
import CutoverCore
import CutoverHTTP
import Foundation

/// What a spare step process does while it waits for its request: the first-use work every step pays
/// before its first request to AWS, done while nobody waits for it. A short promotion spends a good part
/// of its CPU in the Swift runtime's first lookups (each new generic type and protocol conformance scans
/// the binary's 11,000 conformance records once), in ArgumentParser reflecting over a command's options,
/// and in setting up the event loop threads and the first HTTP connection. Those caches are per
/// process, so a spare that has filled them runs its step faster than a fresh `cutover <step>`.
///
/// Nothing here changes what the step then does: every result is thrown away, nothing is printed,
/// nothing leaves the machine (the one HTTP request goes to a socket of this process on loopback).
enum StepWarmUp {
    static func run(config: String?) async {
        for definition in ServeSteps.definitions {
            // Parsing only; a parse error is as good a warm-up as a parse.
            _ = try? Cutover.parseAsRoot(definition.command + ["--release", "warm-up", "--env", "warm-up"])
        }
        if let config {
            _ = try? ConfigLoader.load(path: config)
        }
        await LoopbackAnswer.exercise()
    }
}

/// One HTTP exchange with a socket of this process: AsyncHTTPClient's first connection (event loop
/// threads, bootstrap, pipeline, response parsing) set up before the step's first AWS request needs it.
enum LoopbackAnswer {
    static func exercise() async {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { return }
        // shutdown first: on Linux a close alone does not wake the accept below if no request came.
        defer { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        guard bound else { return }
        let port = UInt16(bigEndian: address.sin_port)
        let answered = Thread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.ends(with: Array("\r\n\r\n".utf8)) {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { return }
                request += buffer[..<count]
            }
            let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 6\r\nConnection: close\r\n\r\n<ok/>\n".utf8)
            _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
        }
        answered.start()
        let transport = AsyncHTTPTransport()
        _ = try? await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/warm-up")!), timeout: .seconds(2))
        await transport.shutdown()
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
