import CutoverCore

/// What the shared library's templates see. The library is the same for every config, so it offers
/// nothing from one: only cutover's own facts, such as the exit codes its steps explain on failure.
struct LibraryView: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object([
            "exitCodes": .objects(ExitStatus.allCases.map {
                ["code": .text(String($0.rawValue)), "meaning": .text($0.meaning)]
            }),
        ])
    }
}
