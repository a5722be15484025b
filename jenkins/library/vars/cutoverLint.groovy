// Part of the cutover shared library, rendered by `cutover render` (or `cutover library`) from
// templates/library/. Do not edit: change the templates and render again. Help: the .txt file beside this one.

/**
 * Lints the release's migrations for blue/green safety (`cutover migrate lint`). With a database
 * credential bound, only the migrations still pending on that database are checked.
 */
def call(Map args = [:]) {
    List variables = cutoverArguments('cutoverLint', args, ['migrations'], ['lockTimeout', 'databaseCredentials', 'server', 'sidecarCredentials'])
    variables.add(cutoverValue('CUTOVER_MIGRATIONS', args.migrations))
    variables.add(cutoverValue('CUTOVER_LOCK_TIMEOUT', args.lockTimeout ?: '5s'))
    withEnv(variables) {
        cutoverWithDatabase(args) {
            cutoverWithSidecar(args) {
                cutoverRun('cutoverLint', '"$CUTOVER_BINARY" migrate lint --migrations "$CUTOVER_MIGRATIONS" --lock-timeout "$CUTOVER_LOCK_TIMEOUT"')
            }
        }
    }
}

// ---- Shared by every cutover step (templates/library/partials/helpers.mustache) ----
// Sandbox-safe by construction: pipeline steps, Strings, Maps and Lists only; no @NonCPS, no imports.

/**
 * Stops the build when an argument is unknown or a required one is missing, naming every accepted
 * argument. Returns the withEnv entries every step sets: a value reaches the shell only as an
 * environment variable, never as part of a script.
 */
List cutoverArguments(String step, Map args, List required, List optional) {
    List accepted = required + optional + ['binary', 'config', 'environment']
    List problems = []
    for (Object name in args.keySet()) {
        if (!accepted.contains(name.toString())) {
            problems.add('unknown argument ' + name.toString())
        }
    }
    // Missing means not passed (or null): an empty value is cutover's to judge, as it always was.
    for (Object name in required) {
        if (args[name] == null) {
            problems.add('missing argument ' + name)
        }
    }
    if (problems) {
        error(step + ': ' + problems.join(', ') + '; accepted: ' + required.join(', ') + ' (required), '
            + (optional + ['binary', 'config', 'environment']).join(', '))
    }
    List variables = [cutoverValue('CUTOVER_BINARY', args.binary ?: env.CUTOVER_BINARY ?: 'cutover')]
    // Without the arguments, cutover reads the pipeline's own CUTOVER_CONFIG and CUTOVER_ENV.
    if (args.config) {
        variables.add(cutoverValue('CUTOVER_CONFIG', args.config))
    }
    if (args.environment) {
        variables.add(cutoverValue('CUTOVER_ENV', args.environment))
    }
    return variables
}

/**
 * One withEnv entry. An absent value gives an empty entry, which unsets the variable: a caller's
 * environment never turns into a flag the caller did not ask for.
 */
String cutoverValue(String name, Object value) {
    return name + '=' + (value == null ? '' : value.toString())
}

/** `true` only for the boolean true: the string 'false' must not switch a dry run on. */
boolean cutoverFlag(Object value) {
    return value == true
}

/**
 * The sidecar (`cutover serve`) the command runs on: the server argument, else the pipeline's
 * CUTOVER_SERVER; with only sidecarCredentials, the sidecar's default address. Null: on the agent.
 */
String cutoverServer(Map args) {
    if (args.server) {
        return args.server.toString()
    }
    if (env.CUTOVER_SERVER) {
        return env.CUTOVER_SERVER
    }
    return args.sidecarCredentials ? 'http://127.0.0.1:8780' : null
}

/**
 * Runs body with what the command needs to run on the sidecar, when there is one: CUTOVER_SERVER and
 * only the sidecar's operate token (sidecarCredentials, else CUTOVER_SIDECAR_CREDENTIALS) bound as
 * CUTOVER_API_TOKEN. The cutover command then runs the step on the sidecar and streams its output.
 * Without a sidecar, body runs as it is.
 */
def cutoverWithSidecar(Map args, Closure body) {
    String server = cutoverServer(args)
    if (!server) {
        return body()
    }
    String id = args.sidecarCredentials ?: env.CUTOVER_SIDECAR_CREDENTIALS
    if (!id) {
        error('cutover: the sidecar ' + server + ' needs its token: pass sidecarCredentials or set CUTOVER_SIDECAR_CREDENTIALS')
    }
    withEnv([cutoverValue('CUTOVER_SERVER', server)]) {
        withCredentials([string(credentialsId: id, variable: 'CUTOVER_API_TOKEN')]) {
            body()
        }
    }
}

/**
 * Runs body with the AWS key pair bound: the awsCredentials argument, else the pipeline's
 * CUTOVER_AWS_CREDENTIALS. With neither, the agent's instance role applies. With a sidecar, the AWS
 * credentials are the sidecar's: only its token is bound.
 */
def cutoverWithAws(Map args, Closure body) {
    if (cutoverServer(args)) {
        return cutoverWithSidecar(args, body)
    }
    String id = args.awsCredentials ?: env.CUTOVER_AWS_CREDENTIALS
    if (!id) {
        return body()
    }
    withCredentials([[$class: 'AmazonWebServicesCredentialsBinding', credentialsId: id,
                      accessKeyVariable: 'AWS_ACCESS_KEY_ID', secretKeyVariable: 'AWS_SECRET_ACCESS_KEY']]) {
        body()
    }
}

/**
 * Runs body with DATABASE_URL bound: the databaseCredentials argument, else the pipeline's
 * CUTOVER_DATABASE_CREDENTIALS. With neither, body runs without it. With a sidecar, nothing is bound:
 * the sidecar holds the database URL.
 */
def cutoverWithDatabase(Map args, Closure body) {
    String id = args.databaseCredentials ?: env.CUTOVER_DATABASE_CREDENTIALS
    if (!id || cutoverServer(args)) {
        return body()
    }
    withCredentials([string(credentialsId: id, variable: 'DATABASE_URL')]) {
        body()
    }
}

/**
 * Runs one cutover command line. `script` is always a single-quoted literal of the calling step, so
 * nothing a caller passes is part of it. A failure says what cutover's exit code means.
 */
def cutoverRun(String step, String script) {
    int status = sh(script: script, returnStatus: true)
    if (status != 0) {
        error(step + ': cutover exited ' + status + cutoverExitMeaning(status))
    }
}

/** The meaning of an exit code, from the table cutover renders into resources/ (` (meaning)` or ``). */
String cutoverExitMeaning(int status) {
    String prefix = String.valueOf(status) + ' '
    for (String line in libraryResource('org/cutover/exit-codes.txt').split('\n')) {
        if (line.startsWith(prefix)) {
            return ' (' + line.substring(prefix.length()) + ')'
        }
    }
    return status > 128 ? ' (stopped by signal ' + (status - 128) + ')' : ''
}
