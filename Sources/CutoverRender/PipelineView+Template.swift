// The template contract of templates/README.md: the names each view offers to its templates.

extension PipelineView: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object([
            "system": .text(system), "environment": .text(environment), "configPath": .text(configPath),
            "pipeline": .text(pipeline), "summary": .text(summary), "agentLabel": .text(agentLabel),
            "kubernetes": kubernetes?.templateValue ?? .null,
            "keepBuilds": .text(String(keepBuilds)), "lock": .text(lock),
            "parameters": .objects(parameters.map(\.fields)), "variables": .objects(variables.map(\.fields)),
            "source": source.templateValue, "awsCredential": .text(awsCredential),
            "units": units, "approvers": .text(approvers),
            "releaseParameters": .objects(releaseParameters.map(\.fields)),
            "database": database?.templateValue ?? .null, "library": library.templateValue,
            "planFile": .text(planFile), "lockTimeout": .text(lockTimeout),
        ])
    }
}

extension PipelineView.Parameter {
    var fields: [String: TemplateValue] {
        ["name": .text(name), "defaultValue": .text(defaultValue), "description": .text(description)]
    }
}

extension PipelineView.Variable {
    var fields: [String: TemplateValue] {
        ["name": .text(name), "value": .text(value)]
    }
}

extension PipelineView.Git: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["url": .text(url), "branch": .text(branch), "credential": .text(credential)])
    }
}

extension PipelineView.Library: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["name": .text(name), "version": .text(version), "url": .text(url), "credential": .text(credential),
                 "path": .text(path), "folder": .bool(folder)])
    }
}

extension PipelineView.KubernetesAgent: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["lines": .objects(lines.map { ["text": .text($0)] }), "workspace": .text(workspace)])
    }
}

extension PipelineView.Unit {
    var fields: [String: TemplateValue] {
        ["id": .text(id), "service": .text(service), "sport": .text(sport), "kind": .text(kind), "ecs": .bool(ecs),
         "artifactParameter": .text(artifactParameter)]
    }
}

extension PipelineView.DatabaseView: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["credential": .text(credential), "repository": repository.templateValue, "checkoutDir": .text(checkoutDir)])
    }
}

extension JobView: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object([
            "description": .text(description), "keepBuilds": .text(String(keepBuilds)),
            "parameters": .objects(parameters.map(\.fields)),
            "inline": inline.map { .object(["script": .text($0.script)]) } ?? .null,
            "scm": scm.map {
                .object(["url": .text($0.url), "branch": .text($0.branch), "credential": .text($0.credential),
                         "scriptPath": .text($0.scriptPath)])
            } ?? .null,
        ])
    }
}

extension FolderView: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["description": .text(description), "library": library?.templateValue ?? .null])
    }
}

extension FolderLibraryView: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["name": .text(name), "version": .text(version), "url": .text(url), "credential": .text(credential),
                 "path": .text(path), "id": .text(Self.sourceID)])
    }
}
