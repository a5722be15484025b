// Self-test of harness.groovy; run through selftest.sh.
//
// Every fixtures/*.groovy starts with header comments describing one or more runs:
//   // expect: CHECK        adds a check to the current run
//   // run: ARGS            closes the current run: harness ARGS FIXTURE must pass the checks above
// Checks given after the last `// run:` form a final run without extra arguments.
// CHECK is one of:
//   valid | invalid | invalid: SUBSTR | error: SUBSTR | errors: N | warning: SUBSTR
//   result: RESULT
//   status: STAGE = STATUS          STAGE = leaf name or path joined with ' > '
//   event: CRIT; CRIT; ...          some event matches all criteria
//   no-event: CRIT; ...             no event matches all criteria
//   json: PATH = VALUE              dotted path into the result (list indexes are numbers)
// CRIT is KEY=VALUE (equal) or KEY~VALUE (contains); KEY is step, stage (' > ' joined), branch,
// post, dir, script, lock, cred (membership), failed, directive, env.NAME, arg.NAME[.more].
// In VALUEs "\n" stands for a newline. Non-string values compare as their JSON text.
//
// Besides the fixtures it checks the command line itself: exit codes of single-file mode
// (0 valid / 1 invalid / 2 usage) and --batch output. Last line: "N passed, M failed".

import groovy.json.JsonOutput
import groovy.json.JsonSlurper

File here = new File(getClass().protectionDomain.codeSource.location.toURI()).parentFile
File harness = new File(here, 'harness.groovy')
File fixturesDir = new File(here, 'fixtures')
String groovyCmd = System.getenv('GROOVY') ?: 'groovy'

int passed = 0
int failed = 0
def report = { String id, List<String> problems ->
    if (problems) {
        failed++
        println "FAIL ${id}"
        problems.each { println "     - ${it}" }
    } else {
        passed++
        println "ok   ${id}"
    }
}

List<String> tokenize(String s) {
    List<String> out = []
    StringBuilder cur = null
    boolean quoted = false
    for (char c : s.toCharArray()) {
        if (c == '\'' as char) { quoted = !quoted; if (cur == null) cur = new StringBuilder(); continue }
        if (!quoted && Character.isWhitespace(c)) { if (cur != null) { out << cur.toString(); cur = null }; continue }
        if (cur == null) cur = new StringBuilder()
        cur.append(c)
    }
    if (cur != null) out << cur.toString()
    return out
}

// ------------------------------------------------------------------ collect runs
List<Map> runs = []
List<File> fixtures = (fixturesDir.listFiles().findAll { it.name.endsWith('.groovy') } as List).sort { it.name }
fixtures.each { File f ->
    List<String> checks = []
    int n = 0
    List<Map> mine = []
    for (String line : f.readLines()) {
        if (!line.startsWith('//')) break
        def m = line =~ /^\/\/\s*(expect|run):\s?(.*)$/
        if (!m.matches()) continue
        if (m.group(1) == 'expect') checks << m.group(2).trim()
        else { mine << [args: tokenize(m.group(2))]; mine[-1].checks = checks; checks = [] }
    }
    if (checks) mine << [args: [], checks: checks]
    if (mine.isEmpty()) { report(f.name, ['no // expect: header']); return }
    mine.eachWithIndex { Map r, int i ->
        r.file = f
        r.id = mine.size() == 1 ? f.name : "${f.name}#${i + 1} [${r.args.join(' ')}]".toString()
        runs << r
    }
}

// ------------------------------------------------------------------ run the harness
Map exec(List<String> cmd) {
    long t0 = System.nanoTime()
    Process p = new ProcessBuilder(cmd).start()
    StringBuffer out = new StringBuffer(), err = new StringBuffer()
    p.consumeProcessOutput(out, err)
    int rc = p.waitFor()
    Thread.sleep(20)
    return [rc: rc, out: out.toString(), err: err.toString(), secs: (System.nanoTime() - t0) / 1e9]
}

// usage error first (sequential): it also warms the compile cache for the parallel runs below
Map usage = exec([groovyCmd, harness.path, '--fail-stage'])
report('cli: missing option value exits 2', usage.rc == 2 ? [] : ["exit ${usage.rc}, stderr: ${usage.err}".toString()])

File spec = File.createTempFile('harness-selftest', '.json')
spec.deleteOnExit()
spec.text = JsonOutput.toJson(runs.collect { [id: it.id, args: it.args + [it.file.path]] })
List<File> validFiles = fixtures.findAll { it.name.startsWith('valid-') }
File broken = fixtures.find { it.name.startsWith('invalid-broken-quote') }

Map jobs = Collections.synchronizedMap([:])
// two lanes (the machine may have only 2 cores): all fixtures in one JVM, and the CLI checks
List<Thread> threads = [
    Thread.start { jobs.runs = exec([groovyCmd, harness.path, '--runs', spec.path]) },
    Thread.start {
        jobs.batch = exec([groovyCmd, harness.path, '--param', 'RELEASE=r1', '--batch'] + validFiles*.path)
        jobs.single = exec([groovyCmd, harness.path, '--param', 'RELEASE=r1', validFiles[0].path])
        jobs.broken = exec([groovyCmd, harness.path, broken.path])
    },
]
threads*.join()

// ------------------------------------------------------------------ check fixture runs
String text(Object v) {
    if (v instanceof String) return v
    if (v == null) return 'null'
    return JsonOutput.toJson(v)
}

/** Strings compare as text; maps and lists structurally (key order does not matter). */
boolean same(Object node, String want) {
    if (node instanceof Map || node instanceof List) {
        try { return new JsonSlurper().parseText(want) == node } catch (Exception e) { return false }
    }
    return text(node) == want
}

Object dig(Object node, String path) {
    Object cur = node
    for (String part : path.tokenize('.')) {
        if (cur instanceof List && part.isInteger()) {
            int i = part.toInteger()
            cur = i < ((List) cur).size() ? ((List) cur)[i] : null
        } else if (cur instanceof Map) {
            cur = ((Map) cur)[part]
        } else {
            return null
        }
    }
    return cur
}

boolean critMatches(Map ev, String crit) {
    def m = crit.trim() =~ /^([\w.$\/-]+)\s*([=~])\s*(.*)$/
    if (!m.matches()) throw new IllegalArgumentException("bad criterion '${crit}'")
    String key = m.group(1), op = m.group(2), want = m.group(3).trim().replace('\\n', '\n')
    def cmp = { Object v -> op == '=' ? same(v, want) : text(v).contains(want) }
    switch (key) {
        case 'step': return cmp(ev.step)
        case 'stage': return cmp((ev.stage as List).join(' > '))
        case 'branch': return cmp(ev.parallelBranch)
        case 'post': return cmp(ev.post)
        case 'dir': return cmp(ev.dir)
        case 'script': return cmp(ev.script)
        case 'failed': return cmp(ev.failed ?: false)
        case 'directive': return cmp(ev.directive ?: false)
        case 'lock': return (ev.locks as List).any { cmp(it) }
        case 'cred': return (ev.credentials as List).any { cmp(it) }
    }
    if (key.startsWith('env.')) return cmp(((Map) ev.env)[key.substring(4)])
    if (key.startsWith('arg.')) return cmp(dig(ev.args, key.substring(4)))
    throw new IllegalArgumentException("unknown criterion key '${key}'")
}

Map findStage(List stages, String want) {
    for (Map s : stages) {
        if (s.name == want || (s.path as List).join(' > ') == want) return s
        Map c = findStage(s.children as List, want)
        if (c) return c
    }
    return null
}

List<String> check(Map res, String c) {
    if (res == null) return ["no result"]
    def m = c =~ /^([a-z-]+)(?::\s?(.*))?$/
    if (!m.matches()) return ["bad check '${c}'".toString()]
    String kind = m.group(1), arg = m.group(2)?.trim()
    String errs = "errors=${res.errors}".toString()
    switch (kind) {
        case 'valid': return res.valid == true ? [] : ["expected valid, ${errs}".toString()]
        case 'invalid':
            if (res.valid != false) return ["expected invalid, got valid"]
            if (arg && !res.errors.any { it.contains(arg) }) return ["no error containing '${arg}', ${errs}".toString()]
            return []
        case 'error': return res.errors.any { it.contains(arg) } ? [] : ["no error containing '${arg}', ${errs}".toString()]
        case 'errors': return res.errors.size() == arg.toInteger() ? [] : ["expected ${arg} errors, ${errs}".toString()]
        case 'warning': return res.warnings.any { it.contains(arg) } ? [] : ["no warning containing '${arg}', warnings=${res.warnings}".toString()]
        case 'result': return text(res.result) == arg ? [] : ["result ${res.result}, expected ${arg}".toString()]
        case 'status':
            def sm = arg =~ /^(.*?)\s*=\s*(\S+)$/
            if (!sm.matches()) return ["bad status check '${arg}'".toString()]
            Map s = findStage(res.stages as List, sm.group(1))
            if (s == null) return ["no stage '${sm.group(1)}'".toString()]
            return s.status == sm.group(2) ? [] : ["stage '${sm.group(1)}' is ${s.status}, expected ${sm.group(2)}".toString()]
        case 'event':
        case 'no-event':
            List<String> crits = arg.split(';').findAll { it.trim() } as List
            boolean found = (res.events as List).any { Map ev -> crits.every { critMatches(ev, it) } }
            if (kind == 'event' && !found) return ["no event matching '${arg}'".toString()]
            if (kind == 'no-event' && found) return ["unexpected event matching '${arg}'".toString()]
            return []
        case 'json':
            def jm = arg =~ /^(\S+)\s*=\s*(.*)$/
            if (!jm.matches()) return ["bad json check '${arg}'".toString()]
            Object node = dig(res, jm.group(1))
            String want = jm.group(2).trim().replace('\\n', '\n')
            return same(node, want) ? [] : ["${jm.group(1)} is ${text(node)}, expected ${want}".toString()]
    }
    return ["unknown check '${c}'".toString()]
}

Map runsJob = jobs.runs
Map results = null
try { results = new JsonSlurper().parseText(runsJob.out) as Map } catch (Exception e) {
    report('cli: --runs output is JSON', ["exit ${runsJob.rc}: ${e.message}; stderr: ${runsJob.err.take(2000)}".toString()])
}
if (results != null) {
    boolean anyInvalid = false
    runs.each { Map r ->
        Map res = results[r.id] as Map
        if (res && !res.valid) anyInvalid = true
        List<String> problems = []
        r.checks.each { String c ->
            try { problems.addAll(check(res, c)) } catch (Exception e) { problems << "check '${c}' crashed: ${e}".toString() }
        }
        report(r.id, problems)
    }
    int wantRc = anyInvalid ? 1 : 0
    report('cli: --runs exit code', runsJob.rc == wantRc ? [] : ["exit ${runsJob.rc}, expected ${wantRc}".toString()])
}

// ------------------------------------------------------------------ command line checks
Map single = jobs.single
List<String> sp = []
if (single.rc != 0) sp << "exit ${single.rc}, stderr: ${single.err.take(500)}".toString()
try {
    Map r = new JsonSlurper().parseText(single.out) as Map
    if (r.valid != true) sp << "valid=${r.valid} errors=${r.errors}".toString()
    ['valid', 'errors', 'result', 'agent', 'options', 'parameters', 'environment', 'stages', 'events'].each {
        if (!r.containsKey(it)) sp << "missing field ${it}".toString()
    }
} catch (Exception e) { sp << "stdout is not one JSON document: ${e.message}".toString() }
report("cli: single valid file exits 0 with one JSON document (${String.format('%.1f', single.secs)} s)", sp)

Map br = jobs.broken
List<String> bp = []
if (br.rc != 1) bp << "exit ${br.rc}".toString()
try {
    Map r = new JsonSlurper().parseText(br.out) as Map
    if (!(r.errors && r.errors[0].startsWith('syntax:') && r.errors[0] =~ /line \d+/)) bp << "errors=${r.errors}".toString()
} catch (Exception e) { bp << "stdout is not JSON: ${e.message}".toString() }
report('cli: syntax error exits 1 with "syntax: ... line N"', bp)

Map batch = jobs.batch
List<String> bap = []
if (batch.rc != 0) bap << "exit ${batch.rc}, stderr: ${batch.err.take(500)}".toString()
try {
    Map r = new JsonSlurper().parseText(batch.out) as Map
    if (r.keySet() as List != validFiles*.path) bap << "keys ${r.keySet()}".toString()
    r.each { k, v -> if (v.valid != true) bap << "${k}: ${v.errors}".toString() }
} catch (Exception e) { bap << "stdout is not JSON: ${e.message}".toString() }
report("cli: --batch of ${validFiles.size()} files (${String.format('%.1f', batch.secs)} s)", bap)

println "${passed} passed, ${failed} failed"
System.exit(failed == 0 ? 0 : 1)
