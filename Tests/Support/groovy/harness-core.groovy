// Core of the offline Jenkinsfile harness (classes only). Entry point: Harness.main(List, PrintStream).
// Run it through harness.groovy, which compiles this file once into a cache and loads it.
// See README.md for the command line and the JSON schema.

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.CodeVisitorSupport
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.Parameter
import org.codehaus.groovy.ast.expr.*
import org.codehaus.groovy.ast.stmt.BlockStatement
import org.codehaus.groovy.ast.stmt.CatchStatement
import org.codehaus.groovy.ast.stmt.ForStatement
import org.codehaus.groovy.ast.stmt.Statement
import org.codehaus.groovy.classgen.GeneratorContext
import org.codehaus.groovy.control.CompilationFailedException
import org.codehaus.groovy.control.CompilePhase
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.MultipleCompilationErrorsException
import org.codehaus.groovy.control.SourceUnit
import org.codehaus.groovy.control.customizers.CompilationCustomizer
import org.codehaus.groovy.control.messages.ExceptionMessage
import org.codehaus.groovy.control.messages.SyntaxErrorMessage

// ---------------------------------------------------------------------------------------------
// Exceptions used to drive the simulated run
// ---------------------------------------------------------------------------------------------

class HarnessUsage extends RuntimeException { HarnessUsage(String m) { super(m) } }
/** A step failed (sh exit code, error(), unknown step): stage result FAILURE. */
class StepFailure extends RuntimeException { StepFailure(String m) { super(m) } }
/** Input rejected: build result ABORTED. */
class BuildAborted extends RuntimeException { BuildAborted(String m) { super(m) } }
/** A nested stage (stages/parallel) ended the parent's body with the given status. */
class ChildHalt extends RuntimeException {
    String status
    ChildHalt(String s) { super('child stage ' + s); status = s }
}

class Consts {
    static final List<String> POST_ORDER = ['always', 'changed', 'fixed', 'regression', 'aborted',
        'failure', 'success', 'unstable', 'unsuccessful', 'cleanup']
    static final Set<String> PIPELINE_OPTIONS = ['buildDiscarder', 'checkoutToSubdirectory',
        'disableConcurrentBuilds', 'disableResume', 'disableRestartFromStage', 'durabilityHint',
        'newContainerPerStage', 'overrideIndexTriggers', 'parallelsAlwaysFailFast', 'preserveStashes',
        'quietPeriod', 'rateLimitBuilds', 'retry', 'skipDefaultCheckout', 'skipStagesAfterUnstable',
        'timeout', 'timestamps', 'lock', 'ansiColor', 'copyArtifactPermission', 'githubProjectProperty',
        'throttleJobProperty'] as Set
    static final Set<String> STAGE_OPTIONS = ['skipDefaultCheckout', 'timeout', 'retry', 'timestamps',
        'lock', 'ansiColor'] as Set
    static final Set<String> OPTION_HELPERS = ['logRotator'] as Set
    static final Set<String> PARAM_TYPES = ['string', 'text', 'booleanParam', 'choice', 'password',
        'credentials'] as Set
    static final Set<String> WHEN_CONDITIONS = ['branch', 'buildingTag', 'changelog', 'changeset',
        'changeRequest', 'environment', 'equals', 'expression', 'tag', 'not', 'allOf', 'anyOf',
        'triggeredBy', 'beforeAgent', 'beforeInput', 'beforeOptions'] as Set
    /** Steps recorded as events. */
    static final Set<String> STEPS = ['sh', 'echo', 'error', 'git', 'checkout', 'dir', 'withCredentials',
        'withEnv', 'lock', 'timeout', 'retry', 'script', 'input', 'build', 'readFile', 'writeFile',
        'fileExists', 'archiveArtifacts', 'junit', 'stash', 'unstash', 'cleanWs', 'deleteDir', 'sleep',
        'catchError', 'warnError', 'unstable', 'parallel', 'pwd', 'isUnix', 'timestamps', 'ansiColor',
        'milestone', 'println', 'print', 'printf', 'library', 'libraryResource'] as Set
    /** Argument helpers (credential bindings, build parameters): return a descriptor, no event. */
    static final Set<String> HELPERS = ['string', 'text', 'booleanParam', 'choice', 'password',
        'usernamePassword', 'usernameColonPassword', 'file', 'sshUserPrivateKey', 'certificate', 'modernSCM'] as Set
    static final Set<String> BUILTINS = ['sprintf'] as Set
    /** Steps that need a node (workspace); they fail under `agent none` without a stage agent. */
    static final Set<String> NODE_STEPS = ['sh', 'git', 'checkout', 'readFile', 'writeFile', 'fileExists',
        'archiveArtifacts', 'junit', 'stash', 'unstash', 'cleanWs', 'deleteDir', 'dir', 'pwd'] as Set
    /** Names that Groovy would resolve to DefaultGroovyMethods on the closure itself. */
    static final Set<String> RENAMED = ['sleep', 'println', 'print', 'printf'] as Set
    static final String RENAME_PREFIX = '__jf_'
    static final Map<String, Integer> SEVERITY = [SUCCESS: 0, UNSTABLE: 1, FAILURE: 2, NOT_BUILT: 3, ABORTED: 4]

    static String worse(String a, String b) {
        if (a == null) return b
        if (b == null) return a
        return (SEVERITY[b] ?: 0) > (SEVERITY[a] ?: 0) ? b : a
    }
}

class CredRef {
    String id
    String toString() { 'credentials:' + id }
}

/** Value of a nested option call such as logRotator(numToKeepStr: '20'); JSON {"name", "args"}. */
class OptionHelper {
    String name
    Map args
    String toString() { name + args }
}

/** `scm` in checkout scm; JSON "scm". */
class ScmRef {
    String toString() { 'scm' }
}

class AgentToken {
    String type
    String toString() { type }
}

class Util {
    /** Named args (leading map) + positional args as "value" (one) or a list (several); closures dropped. */
    static Map normArgs(Object[] args) {
        Map out = new LinkedHashMap()
        List pos = []
        for (int i = 0; i < args.length; i++) {
            Object a = args[i]
            if (a instanceof Closure) continue
            if (i == 0 && a instanceof Map) {
                ((Map) a).each { k, v -> out[String.valueOf(k)] = v }
            } else {
                pos << a
            }
        }
        if (pos.size() == 1) out.value = pos[0]
        else if (pos.size() > 1) out.value = pos
        return out
    }

    static Map named(Object[] args) {
        return (args.length > 0 && args[0] instanceof Map) ? (Map) args[0] : [:]
    }

    static List positional(Object[] args) {
        List pos = []
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Closure) continue
            if (i == 0 && args[i] instanceof Map) continue
            pos << args[i]
        }
        return pos
    }

    static Closure body(Object[] args) {
        return (args.length > 0 && args[args.length - 1] instanceof Closure) ? (Closure) args[args.length - 1] : null
    }

    /** Plain JSON-able copy: maps/lists/strings/numbers/booleans/null. */
    static Object json(Object o) {
        if (o == null || o instanceof Boolean || o instanceof Number || o instanceof String) return o
        if (o instanceof CharSequence) return o.toString()
        if (o instanceof CredRef || o instanceof AgentToken || o instanceof ScmRef) return o.toString()
        if (o instanceof OptionHelper) return [name: ((OptionHelper) o).name, args: json(((OptionHelper) o).args)]
        if (o instanceof Closure) return '<closure>'
        if (o instanceof Map) {
            Map m = new LinkedHashMap()
            ((Map) o).each { k, v -> m[String.valueOf(k)] = json(v) }
            return m
        }
        if (o instanceof Collection) return ((Collection) o).collect { json(it) }
        if (o.getClass().isArray()) return (o as List).collect { json(it) }
        if (o instanceof Enum) return ((Enum) o).name()
        return o.toString()
    }

    static String joinDir(String base, String path) {
        if (path == null || path == '' || path == '.') return base
        if (path.startsWith('/') || base == null) return path
        return base + '/' + path
    }

    static Integer jenkinsfileLine(Throwable t) {
        for (Throwable c = t; c != null; c = c.cause) {
            for (StackTraceElement e : c.stackTrace) {
                if (e.fileName == 'Jenkinsfile' && e.lineNumber > 0) return e.lineNumber
            }
        }
        return null
    }
}

// ---------------------------------------------------------------------------------------------
// DSL plumbing: a GroovyInterceptable proxy so that every call/property goes to a handler
// ---------------------------------------------------------------------------------------------

interface DslHandler {
    Object dslCall(String name, Object[] args)
    Object dslGet(String name)
    void dslSet(String name, Object value)
}

class DslProxy implements GroovyInterceptable {
    private final DslHandler h
    DslProxy(DslHandler h) { this.h = h }
    Object invokeMethod(String name, Object args) { return h.dslCall(name, args as Object[]) }
    Object getProperty(String name) { return h.dslGet(name) }
    void setProperty(String name, Object value) { h.dslSet(name, value) }
}

/** Binding for the Jenkinsfile script: script variables, then params/env/currentBuild/env vars. */
class JBinding extends Binding {
    Runner runner
    JBinding(Runner r) { super(); runner = r }
    Object getVariable(String name) {
        if (super.getVariables().containsKey(name)) return super.getVariable(name)
        return runner.resolveVar(name)
    }
    boolean hasVariable(String name) {
        try { getVariable(name); return true } catch (MissingPropertyException e) { return false }
    }
}

/** Base class of the compiled Jenkinsfile. */
abstract class JenkinsfileScript extends Script {
    Object pipeline(Object... args) { return ((JBinding) getBinding()).runner.pipelineBlock(args) }
    Object methodMissing(String name, Object args) {
        return ((JBinding) getBinding()).runner.step(name, args as Object[])
    }
}

class EnvProxy extends GroovyObjectSupport {
    private final Runner r
    EnvProxy(Runner r) { this.r = r }
    Object getProperty(String name) {
        if (name == 'environment') return r.effectiveEnv()
        return r.effectiveEnv()[name]
    }
    void setProperty(String name, Object value) { r.globalEnv[name] = value == null ? null : value.toString() }
    Object getAt(String name) { return getProperty(name) }
    void putAt(String name, Object value) { setProperty(name, value) }
    Map getEnvironment() { return r.effectiveEnv() }
    String toString() { return r.effectiveEnv().toString() }
}

class CurrentBuild extends GroovyObjectSupport {
    private final Runner r
    CurrentBuild(Runner r) { this.r = r }
    Object getProperty(String name) {
        switch (name) {
            case 'result': return (r.buildResult == 'SUCCESS' && !r.resultExplicit) ? null : r.buildResult
            case 'currentResult': return r.buildResult
            case 'displayName': return r.displayName
            case 'description': return r.description
            case 'number': return 1
            case 'id': return '1'
            case 'projectName': return r.baseEnv.JOB_NAME
            case 'fullProjectName': return r.baseEnv.JOB_NAME
            case 'absoluteUrl': return r.baseEnv.BUILD_URL
            case 'previousBuild': return null
            default: throw new MissingPropertyException(name, CurrentBuild)
        }
    }
    void setProperty(String name, Object value) {
        switch (name) {
            case 'result': r.setResult(value == null ? 'SUCCESS' : value.toString()); r.resultExplicit = true; break
            case 'displayName': r.displayName = value?.toString(); break
            case 'description': r.description = value?.toString(); break
            default: throw new MissingPropertyException(name, CurrentBuild)
        }
    }
    Object resultIsBetterOrEqualTo(String other) {
        return (Consts.SEVERITY[r.buildResult] ?: 0) <= (Consts.SEVERITY[other] ?: 0)
    }
    Object resultIsWorseOrEqualTo(String other) {
        return (Consts.SEVERITY[r.buildResult] ?: 0) >= (Consts.SEVERITY[other] ?: 0)
    }
}

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

class StageModel {
    String name
    List<String> path = []
    boolean root
    boolean parallelBranch
    Map<String, Integer> counts = [:]
    List<Map> agents = []
    List<Map> options = []
    List<Map> parameters = []          // pipeline only
    List<Map> triggers = []            // pipeline only
    List<Map> tools = []
    Closure environmentBody
    Map environment = new LinkedHashMap() // name -> String | CredRef (model-time evaluation)
    List<Map> when = []
    Map input
    List<Closure> steps = []
    List<StageModel> parallel = []
    List<StageModel> stages = []
    Boolean failFast
    Map<String, Closure> post = new LinkedHashMap()
    // run state
    String status = 'NOT_RUN'
    boolean halted
    boolean injectionConsumed
    String forcedStatus
    List<String> postRan = []

    void count(String directive) { counts[directive] = (counts[directive] ?: 0) + 1 }
    int n(String directive) { return counts[directive] ?: 0 }
    String label() { return root ? 'pipeline' : "stage '${name}'".toString() }
    String type() {
        if (n('steps') > 0) return 'steps'
        if (n('parallel') > 0) return 'parallel'
        if (n('stages') > 0) return 'stages'
        return null
    }
    List<StageModel> children() { return parallel + stages }
}

class Ctx {
    List<String> stagePath = []
    List<StageModel> stages = []
    String branch
    Map<String, String> env = new LinkedHashMap()
    List<String> creds = []
    List<String> locks = []
    String dir
    String post
    boolean hasNode = true

    Ctx copy() {
        return new Ctx(stagePath: new ArrayList(stagePath), stages: new ArrayList(stages), branch: branch,
            env: new LinkedHashMap(env), creds: new ArrayList(creds), locks: new ArrayList(locks), dir: dir,
            post: post, hasNode: hasNode)
    }

    String where() {
        if (stagePath) return "stage '${stagePath[-1]}'" + (post ? " post '${post}'" : '')
        return post ? "pipeline post '${post}'" : 'pipeline'
    }

    String gstringWhere() {
        if (stagePath) return 'stage ' + stagePath[-1]
        return post ? 'pipeline post' : 'pipeline'
    }
}

// ---------------------------------------------------------------------------------------------
// Directive handlers (model building)
// ---------------------------------------------------------------------------------------------

abstract class BaseHandler implements DslHandler {
    Runner r
    abstract String where()
    Object dslGet(String name) { throw new MissingPropertyException(name, DslProxy) }
    void dslSet(String name, Object value) { r.err("unexpected assignment to '${name}' in ${where()}") }
    Closure block(String name, Object[] args) {
        Closure c = Util.body(args)
        if (c == null) r.err("${name} in ${where()} needs a { } block")
        return c
    }
}

class PipelineHandler extends BaseHandler {
    StageModel p
    String where() { 'pipeline' }
    Object dslGet(String name) {
        if (name == 'any' || name == 'none') return new AgentToken(type: name)
        return super.dslGet(name)
    }
    Object dslCall(String name, Object[] args) {
        switch (name) {
            case 'agent':
                p.count('agent'); Map a = r.parseAgent(args, 'pipeline'); if (a) p.agents << a; break
            case 'options':
                p.count('options'); Closure c = block(name, args)
                if (c) r.runWith(c, new OptionsHandler(r: r, s: p)); break
            case 'parameters':
                p.count('parameters'); Closure c = block(name, args)
                if (c) r.runWith(c, new ParametersHandler(r: r, list: p.parameters, label: 'pipeline')); break
            case 'environment':
                p.count('environment'); Closure c = block(name, args)
                if (c) p.environmentBody = c; break
            case 'stages':
                p.count('stages'); Closure c = block(name, args)
                if (c) r.runWith(c, new StagesHandler(r: r, parent: p, list: p.stages, label: 'pipeline stages')); break
            case 'post':
                p.count('post'); Closure c = block(name, args)
                if (c) r.runWith(c, new PostHandler(r: r, map: p.post, label: 'pipeline')); break
            case 'triggers':
            case 'tools':
            case 'libraries':
                p.count(name); Closure c = block(name, args)
                if (c) r.runWith(c, new RecordHandler(r: r, list: name == 'triggers' ? p.triggers : p.tools, label: "pipeline ${name}")); break
            case 'stage':
                r.err("stage '${args ? args[0] : ''}' must be inside stages"); break
            default:
                r.err("unknown directive '${r.display(name)}' in pipeline")
        }
        return null
    }
}

class StagesHandler extends BaseHandler {
    StageModel parent
    List<StageModel> list
    String label
    boolean parallel
    String where() { label }
    Object dslCall(String name, Object[] args) {
        if (name != 'stage') {
            if (parallel) r.err("parallel in ${parent.label()} must contain only stage blocks, found '${r.display(name)}'")
            else r.err("'${r.display(name)}' is not allowed in ${label}: only stage blocks")
            return null
        }
        Object n = (args.length > 0 && !(args[0] instanceof Closure)) ? args[0] : null
        if (n instanceof Map) n = ((Map) n).name
        String nm = n == null ? '' : n.toString()
        StageModel s = new StageModel(name: nm, path: parent.path + [nm], parallelBranch: parallel)
        list << s
        Closure c = Util.body(args)
        if (c == null) { r.err("stage '${nm}' in ${label} has no { } block"); return null }
        r.runWith(c, new StageHandler(r: r, s: s))
        return null
    }
}

class StageHandler extends BaseHandler {
    StageModel s
    String where() { s.label() }
    Object dslGet(String name) {
        if (name == 'any' || name == 'none') return new AgentToken(type: name)
        return super.dslGet(name)
    }
    Object dslCall(String name, Object[] args) {
        switch (name) {
            case 'agent':
                s.count('agent'); Map a = r.parseAgent(args, where()); if (a) s.agents << a; break
            case 'options':
                s.count('options'); Closure c = block(name, args)
                if (c) r.runWith(c, new OptionsHandler(r: r, s: s)); break
            case 'environment':
                s.count('environment'); Closure c = block(name, args)
                if (c) s.environmentBody = c; break
            case 'when':
                s.count('when'); Closure c = block(name, args)
                if (c) r.runWith(c, new WhenHandler(r: r, list: s.when, label: where())); break
            case 'input':
                s.count('input'); Closure c = block(name, args)
                s.input = [message: null, id: null, ok: null, submitter: null, submitterParameter: null, parameters: []]
                if (c) r.runWith(c, new InputHandler(r: r, s: s)); break
            case 'steps':
                s.count('steps'); Closure c = block(name, args)
                if (c) s.steps << c; break
            case 'parallel':
                s.count('parallel')
                if (args.length > 0 && args[0] instanceof Map) {
                    r.err("parallel in ${where()} must be a block of stage blocks (the map form is scripted syntax)")
                    break
                }
                Closure c = block(name, args)
                if (c) r.runWith(c, new StagesHandler(r: r, parent: s, list: s.parallel, label: "parallel of ${where()}", parallel: true)); break
            case 'stages':
                s.count('stages'); Closure c = block(name, args)
                if (c) r.runWith(c, new StagesHandler(r: r, parent: s, list: s.stages, label: "stages of ${where()}")); break
            case 'failFast':
                s.count('failFast')
                Object v = args.length > 0 ? args[0] : null
                if (!(v instanceof Boolean)) r.err("failFast in ${where()} must be true or false")
                else s.failFast = (Boolean) v
                break
            case 'post':
                s.count('post'); Closure c = block(name, args)
                if (c) r.runWith(c, new PostHandler(r: r, map: s.post, label: where())); break
            case 'tools':
                s.count('tools'); Closure c = block(name, args)
                if (c) r.runWith(c, new RecordHandler(r: r, list: s.tools, label: "${where()} tools")); break
            case 'parameters':
                r.err("parameters is not allowed in ${where()} (pipeline level only)"); break
            case 'stage':
                r.err("stage '${args ? args[0] : ''}' in ${where()} must be inside stages or parallel"); break
            default:
                r.err("unknown directive '${r.display(name)}' in ${where()}")
        }
        return null
    }
}

class OptionsHandler extends BaseHandler {
    StageModel s
    String where() { "${s.label()} options" }
    Object dslCall(String name, Object[] args) {
        if (name in Consts.OPTION_HELPERS) return new OptionHelper(name: name, args: Util.normArgs(args))
        if (!(name in Consts.PIPELINE_OPTIONS) && !(name in Consts.STAGE_OPTIONS)) {
            r.err("unknown option '${r.display(name)}' in ${where()}")
        } else if (!(name in (s.root ? Consts.PIPELINE_OPTIONS : Consts.STAGE_OPTIONS))) {
            r.err("option '${name}' is not allowed in ${where()}")
        }
        if (name == 'lock' && r.lockResource([name: name, args: Util.normArgs(args)]) == null) {
            r.err("lock option in ${where()} needs a resource or label")
        }
        s.options << [name: name, args: Util.normArgs(args)]
        return null
    }
}

class ParametersHandler extends BaseHandler {
    List<Map> list
    String label
    String where() { "${label} parameters" }
    Object dslCall(String name, Object[] args) {
        if (!(name in Consts.PARAM_TYPES)) {
            r.err("unknown parameter type '${r.display(name)}' in ${where()}")
            return null
        }
        Map a = Util.named(args)
        Map p = [type: name, name: a.name?.toString(), defaultValue: null, description: a.description?.toString(),
                 choices: null]
        if (a.containsKey('trim')) p.trim = a.trim
        if (!p.name) r.err("${name} parameter without name in ${where()}")
        switch (name) {
            case 'choice':
                Object ch = a.choices
                if (ch instanceof CharSequence) p.choices = ch.toString().split('\n') as List
                else if (ch instanceof Collection) p.choices = ((Collection) ch).collect { it?.toString() }
                else r.err("choice parameter '${p.name}' in ${where()} needs choices")
                p.defaultValue = p.choices ? p.choices[0] : null
                break
            case 'booleanParam':
                Object d = a.containsKey('defaultValue') ? a.defaultValue : false
                if (!(d instanceof Boolean)) r.err("booleanParam '${p.name}' in ${where()} needs a boolean defaultValue")
                p.defaultValue = d
                break
            default:
                Object d = a.containsKey('defaultValue') ? a.defaultValue : ''
                p.defaultValue = d == null ? null : d.toString()
        }
        if (p.name && list.any { it.name == p.name }) r.err("duplicate parameter '${p.name}' in ${where()}")
        list << p
        return null
    }
}

class EnvHandler extends BaseHandler {
    Map out                // name -> String | CredRef
    Map visible            // readable names (already resolved)
    String label
    boolean report
    String where() { "environment of ${label}" }
    Map view() {
        Map m = new LinkedHashMap(visible)
        out.each { k, v -> m[k] = (v instanceof CredRef) ? '****' : v }
        return m
    }
    Object dslGet(String name) {
        if (name == 'env') return view()
        if (name == 'params') return r.params
        if (name == 'currentBuild') return r.currentBuild
        Map v = view()
        if (v.containsKey(name)) return v[name]
        if (r.params.containsKey(name)) return r.params[name]
        throw new MissingPropertyException(name, DslProxy)
    }
    void dslSet(String name, Object value) {
        if (value instanceof CredRef) out[name] = value
        else if (value instanceof CharSequence) out[name] = value.toString()
        else {
            if (report) r.err("environment value for ${name} in ${label} must be a string or credentials(), got ${value == null ? 'null' : value.getClass().simpleName}")
            out[name] = value == null ? null : value.toString()
        }
    }
    Object dslCall(String name, Object[] args) {
        if (name == 'credentials') {
            Object id = args.length > 0 ? args[0] : null
            if (!(id instanceof CharSequence) || !id.toString()) {
                if (report) r.err("credentials() in ${where()} needs a credentials id")
                return new CredRef(id: '')
            }
            return new CredRef(id: id.toString())
        }
        if (r.scriptMethods.contains(name)) return r.script.invokeMethod(name, args)
        if (report) r.err("unsupported call '${r.display(name)}' in ${where()}")
        return null
    }
}

class PostHandler extends BaseHandler {
    Map<String, Closure> map
    String label
    String where() { "post of ${label}" }
    Object dslCall(String name, Object[] args) {
        if (!(name in Consts.POST_ORDER)) {
            r.err("unknown post condition '${r.display(name)}' in ${label}")
            return null
        }
        if (map.containsKey(name)) r.err("duplicate post condition '${name}' in ${label}")
        Closure c = block(name, args)
        if (c) map[name] = c
        return null
    }
}

class WhenHandler extends BaseHandler {
    List<Map> list
    String label
    String where() { "when of ${label}" }
    Object dslCall(String name, Object[] args) {
        if (!(name in Consts.WHEN_CONDITIONS)) {
            r.err("unknown when condition '${r.display(name)}' in ${label}")
            return null
        }
        Map cond = [name: name, args: Util.normArgs(args)]
        if (name in ['allOf', 'anyOf', 'not']) {
            cond.conditions = []
            Closure c = block(name, args)
            if (c) r.runWith(c, new WhenHandler(r: r, list: cond.conditions, label: label))
        } else if (name == 'expression' && Util.body(args) == null) {
            r.err("expression in when of ${label} needs a { } block")
        }
        list << cond
        return null
    }
}

class InputHandler extends BaseHandler {
    StageModel s
    String where() { "input of ${s.label()}" }
    Object dslCall(String name, Object[] args) {
        switch (name) {
            case 'message': case 'id': case 'ok': case 'submitter': case 'submitterParameter':
                s.input[name] = args.length > 0 && args[0] != null ? args[0].toString() : null
                break
            case 'parameters':
                Closure c = block(name, args)
                if (c) r.runWith(c, new ParametersHandler(r: r, list: s.input.parameters, label: "input of ${s.label()}"))
                break
            default:
                r.err("unknown input option '${r.display(name)}' in ${s.label()}")
        }
        return null
    }
}

/** agent { label 'x' } / agent { node { ... } } / docker / dockerfile / kubernetes */
class AgentBodyHandler extends BaseHandler {
    List<Map> found
    String label
    String where() { "agent of ${label}" }
    Object dslCall(String name, Object[] args) {
        switch (name) {
            case 'label':
                found << [type: 'label', label: args.length > 0 ? args[0]?.toString() : null]; break
            case 'node': case 'docker': case 'dockerfile': case 'kubernetes':
                Map a = [type: name]
                Closure c = Util.body(args)
                if (c) {
                    Map kv = new LinkedHashMap()
                    r.runWith(c, new KeyValueHandler(r: r, map: kv, label: "agent ${name} of ${label}"))
                    a.putAll(kv)
                } else {
                    Map na = Util.normArgs(args)
                    if (na.containsKey('value')) { na[name == 'docker' ? 'image' : 'value'] = na.remove('value') }
                    a.putAll(na)
                }
                found << a; break
            default:
                r.err("unknown agent type '${r.display(name)}' in ${label}")
        }
        return null
    }
}

class KeyValueHandler extends BaseHandler {
    Map map
    String label
    String where() { label }
    Object dslCall(String name, Object[] args) {
        Map na = Util.normArgs(args)
        map[name] = na.containsKey('value') && na.size() == 1 ? na.value : na
        return null
    }
}

/** triggers { cron('H 2 * * *') } / tools { jdk 'x' } : recorded only. */
class RecordHandler extends BaseHandler {
    List<Map> list
    String label
    String where() { label }
    Object dslCall(String name, Object[] args) {
        list << [name: name, args: Util.normArgs(args)]
        return null
    }
}

class StepsHandler implements DslHandler {
    Runner r
    Object dslCall(String name, Object[] args) { return r.step(name, args) }
    Object dslGet(String name) { return r.resolveVar(name) }
    void dslSet(String name, Object value) { r.binding.variables[name] = value }
}

// ---------------------------------------------------------------------------------------------
// Static (AST) checks: unknown steps, sh with GString, empty steps; renames DGM collisions
// ---------------------------------------------------------------------------------------------

class AstCheck extends CompilationCustomizer {
    List<String> errors = []
    /** [name, message] of calls to names that are no step: errors unless a library loaded a global variable of that name. */
    List<List<String>> unknownSteps = []
    Set<String> scriptMethods = new LinkedHashSet()
    Set<String> declared = new HashSet()
    AstCheck() { super(CompilePhase.CONVERSION) }

    void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (!classNode.isScript()) return
        classNode.methods.each { MethodNode m -> if (!(m.name in ['run', 'main'])) scriptMethods << m.name }
        NameCollector nc = new NameCollector(names: declared)
        classNode.fields.each { declared << it.name }
        classNode.methods.each { MethodNode m ->
            m.parameters.each { Parameter p -> declared << p.name }
            m.code?.visit(nc)
        }
        StepWalker w = new StepWalker(check: this)
        classNode.methods.each { MethodNode m ->
            if (m.name == 'main') return
            if (m.name == 'run') w.walk(m.code, new Frame(kind: 'top'))
            else w.walk(m.code, new Frame(kind: 'steps', fn: m.name))
        }
    }
}

class NameCollector extends CodeVisitorSupport {
    Set<String> names
    void visitDeclarationExpression(DeclarationExpression e) {
        Expression l = e.leftExpression
        if (l instanceof VariableExpression) names << ((VariableExpression) l).name
        else if (l instanceof TupleExpression) ((TupleExpression) l).expressions.each {
            if (it instanceof VariableExpression) names << ((VariableExpression) it).name
        }
        super.visitDeclarationExpression(e)
    }
    void visitClosureExpression(ClosureExpression e) {
        e.parameters?.each { names << it.name }
        super.visitClosureExpression(e)
    }
    void visitForLoop(ForStatement s) {
        if (s.variable) names << s.variable.name
        super.visitForLoop(s)
    }
    void visitCatchStatement(CatchStatement s) {
        if (s.variable) names << s.variable.name
        super.visitCatchStatement(s)
    }
}

class Frame {
    String kind     // top | pipeline | stages | stage | post | steps | skip
    String stage
    String post
    String fn
    String where() {
        if (fn) return "function '${fn}'"
        if (stage != null) return "stage '${stage}'" + (post ? " post '${post}'" : '')
        return post ? "pipeline post '${post}'" : 'pipeline'
    }
    String gstringWhere() {
        if (fn) return 'function ' + fn
        if (stage != null) return 'stage ' + stage
        return post ? 'pipeline post' : 'pipeline'
    }
}

class StepWalker extends CodeVisitorSupport {
    AstCheck check
    Frame frame

    void walk(Statement code, Frame f) {
        Frame saved = frame
        frame = f
        try { code?.visit(this) } finally { frame = saved }
    }

    static List<Expression> argsOf(MethodCallExpression call) {
        Expression a = call.arguments
        if (a instanceof TupleExpression) return ((TupleExpression) a).expressions
        return a == null ? [] : [a]
    }

    static String constName(Expression e) {
        if (e instanceof ConstantExpression) return String.valueOf(((ConstantExpression) e).value)
        if (e instanceof GStringExpression) return ((GStringExpression) e).text
        return e == null ? '' : e.text
    }

    static void rename(MethodCallExpression call, String name) {
        if (name in Consts.RENAMED) call.setMethod(new ConstantExpression(Consts.RENAME_PREFIX + name))
    }

    void visitInFrame(MethodCallExpression call, String name, Frame f) {
        Frame saved = frame
        frame = f
        try { rename(call, name); super.visitMethodCallExpression(call) } finally { frame = saved }
    }

    void visitMethodCallExpression(MethodCallExpression call) {
        String name = call.isImplicitThis() ? call.methodAsString : null
        if (name == null) { super.visitMethodCallExpression(call); return }
        List<Expression> args = argsOf(call)
        ClosureExpression body = (args && args[-1] instanceof ClosureExpression) ? (ClosureExpression) args[-1] : null
        switch (frame.kind) {
            case 'top':
                if (name == 'pipeline' && body) { walk(body.code, new Frame(kind: 'pipeline')); return }
                break
            case 'pipeline':
                if (name == 'stages' && body) { walk(body.code, new Frame(kind: 'stages')); return }
                if (name == 'post' && body) { walk(body.code, new Frame(kind: 'post')); return }
                visitInFrame(call, name, new Frame(kind: 'skip')); return
            case 'stages':
                if (name == 'stage' && body) {
                    walk(body.code, new Frame(kind: 'stage', stage: constName(args ? args[0] : null))); return
                }
                visitInFrame(call, name, new Frame(kind: 'skip')); return
            case 'stage':
                if (name == 'steps' && body) {
                    if (body.code == null || body.code.isEmpty()) check.errors << "stage '${frame.stage}' has empty steps".toString()
                    walk(body.code, new Frame(kind: 'steps', stage: frame.stage)); return
                }
                if ((name == 'parallel' || name == 'stages') && body) { walk(body.code, new Frame(kind: 'stages', stage: frame.stage)); return }
                if (name == 'post' && body) { walk(body.code, new Frame(kind: 'post', stage: frame.stage)); return }
                visitInFrame(call, name, new Frame(kind: 'skip')); return
            case 'post':
                if (body) { walk(body.code, new Frame(kind: 'steps', stage: frame.stage, post: name)); return }
                visitInFrame(call, name, new Frame(kind: 'skip')); return
            case 'steps':
                checkStep(call, name, args)
                break
        }
        rename(call, name)
        super.visitMethodCallExpression(call)
    }

    void checkStep(MethodCallExpression call, String name, List<Expression> args) {
        boolean known = name in Consts.STEPS || name in Consts.HELPERS || name in Consts.BUILTINS ||
            check.scriptMethods.contains(name) || check.declared.contains(name)
        if (!known) check.unknownSteps << [name, "unknown step: ${name} in ${frame.where()} (line ${call.lineNumber})".toString()]
        if (name == 'sh') {
            boolean gs = args.any { it instanceof GStringExpression } || args.any { a ->
                a instanceof MapExpression && ((MapExpression) a).mapEntryExpressions.any { e ->
                    e.keyExpression.text == 'script' && e.valueExpression instanceof GStringExpression
                }
            }
            if (gs) check.errors << "sh with Groovy interpolation in ${frame.gstringWhere()} (line ${call.lineNumber})".toString()
        }
        if (name == 'input') {
            boolean hasMessage = args.any { !(it instanceof MapExpression) && !(it instanceof ClosureExpression) } ||
                args.any { a -> a instanceof MapExpression && ((MapExpression) a).mapEntryExpressions.any { e -> e.keyExpression.text == 'message' } }
            if (!hasMessage) check.errors << "input step without message in ${frame.where()} (line ${call.lineNumber})".toString()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared libraries: the `library` step loads vars/*.groovy as global variables, as Jenkins does
// ---------------------------------------------------------------------------------------------

/** Base class of a compiled vars/<name>.groovy: every call it does not define is a pipeline step. */
abstract class LibraryVarScript extends Script {
    Object methodMissing(String name, Object args) {
        return ((LibraryBinding) getBinding()).runner.step(name, args as Object[])
    }
}

/** A var sees what a Jenkinsfile sees (env, params, currentBuild), never the Jenkinsfile's own variables. */
class LibraryBinding extends Binding {
    Runner runner
    LibraryBinding(Runner r) { super(); runner = r }
    Object getVariable(String name) {
        if (super.getVariables().containsKey(name)) return super.getVariable(name)
        switch (name) {
            case 'params': return runner.params
            case 'env': return runner.envProxy
            case 'currentBuild': return runner.currentBuild
        }
        throw new MissingPropertyException(name, LibraryVarScript)
    }
}

/**
 * What the Groovy sandbox and CPS would refuse or what lets a value become code, checked in a library's
 * vars before they run: imports, annotations (@Grab, @NonCPS), constructors, class references other
 * than String, reflection/evaluation, Jenkins internals, and `sh` with Groovy interpolation.
 */
class LibraryLint extends CompilationCustomizer {
    List<String> errors = []
    String file
    LibraryLint(String file) { super(CompilePhase.CONVERSION); this.file = file }

    void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        def ast = source.AST
        (ast.imports + ast.starImports + ast.staticImports.values() + ast.staticStarImports.values()).each {
            errors << "${file} line ${it.lineNumber}: import ${it.className ?: it.packageName}: a sandboxed library step uses pipeline steps, not classes".toString()
        }
        // Only what the source says: the compiler adds @BaseScript and a main method to every script.
        classNode.annotations.findAll { it.lineNumber > 0 }.each { errors << "${file} line ${it.lineNumber}: annotation @${it.classNode.name}".toString() }
        classNode.methods.findAll { it.name != 'main' }.each { MethodNode m ->
            m.annotations.findAll { it.lineNumber > 0 }.each { errors << "${file} line ${m.lineNumber}: annotation @${it.classNode.name} on ${m.name}".toString() }
            m.code?.visit(new LintVisitor(lint: this))
        }
    }
}

class LintVisitor extends CodeVisitorSupport {
    LibraryLint lint
    static final Set<String> FORBIDDEN_NAMES = ['Jenkins', 'jenkins', 'hudson', 'System', 'Runtime', 'Thread', 'rawBuild', 'manager'] as Set
    static final Set<String> FORBIDDEN_CALLS = ['evaluate', 'load', 'getClass', 'execute', 'invokeMethod', 'getMetaClass'] as Set
    static final Set<String> ALLOWED_CLASSES = ['java.lang.String'] as Set

    void problem(Expression e, String what) {
        if (e.lineNumber > 0) lint.errors << "${lint.file} line ${e.lineNumber}: ${what}".toString()
    }

    void visitConstructorCallExpression(ConstructorCallExpression e) {
        problem(e, "new ${e.type.name}")
        super.visitConstructorCallExpression(e)
    }
    void visitClassExpression(ClassExpression e) {
        if (!(e.type.name in ALLOWED_CLASSES)) problem(e, "class reference ${e.type.name}")
        super.visitClassExpression(e)
    }
    void visitVariableExpression(VariableExpression e) {
        if (e.name in FORBIDDEN_NAMES) problem(e, "reference to ${e.name}")
        super.visitVariableExpression(e)
    }
    void visitPropertyExpression(PropertyExpression e) {
        if (e.propertyAsString in FORBIDDEN_NAMES) problem(e, "reference to ${e.propertyAsString}")
        super.visitPropertyExpression(e)
    }
    void visitMethodCallExpression(MethodCallExpression call) {
        String name = call.methodAsString
        if (name in FORBIDDEN_CALLS) problem(call, "call to ${name}")
        if (name == 'sh' && StepWalker.argsOf(call).any { a ->
            a instanceof GStringExpression || (a instanceof MapExpression && ((MapExpression) a).mapEntryExpressions.any {
                it.keyExpression.text == 'script' && it.valueExpression instanceof GStringExpression })
        }) problem(call, 'sh with Groovy interpolation')
        super.visitMethodCallExpression(call)
    }
}

/** The libraries the `library` step loaded in this run: their global variables and resources. */
class SharedLibrary {
    Runner runner
    Map<String, Script> vars = new LinkedHashMap()
    List<File> roots = []
    List<Script> calling = []

    /**
     * identifier 'name@version'; the root is --library name=ROOT plus the retriever's libraryPath. Without
     * a retriever the library must be a folder library (--folder-library): its libraryPath applies.
     */
    void load(String identifier, Object retriever) {
        String name = identifier?.tokenize('@')?.getAt(0)
        String path = (retriever instanceof Map && ((Map) retriever).libraryPath) ? ((Map) retriever).libraryPath.toString() : ''
        if (retriever == null && name) {
            Map folder = runner.opts.folderLibraries[name]
            if (folder == null) {
                runner.err("library ${identifier}: no retriever, and no folder library named ${name} (--folder-library FOLDER_CONFIG.XML)".toString())
                throw new StepFailure("library ${identifier} not found")
            }
            if (!identifier.contains('@') && !folder.defaultVersion) {
                runner.err("library ${identifier}: No version specified for library ${name}".toString())
                throw new StepFailure("library ${identifier} has no version")
            }
            if (identifier.contains('@') && !folder.allowVersionOverride) {
                runner.err("library ${identifier}: version override not permitted for library ${name}".toString())
                throw new StepFailure("library ${identifier} version not allowed")
            }
            path = folder.libraryPath ?: ''
        }
        String root = name ? (runner.opts.libraries[name] ?: repositoryOf(path)) : null
        if (root == null) {
            runner.err("library ${identifier}: not provided with --library ${name}=DIR, and no directory above the Jenkinsfile holds ${path ?: '.'}/vars".toString())
            throw new StepFailure("library ${identifier} not found")
        }
        File dir = new File(root, path)
        File varsDir = new File(dir, 'vars')
        if (!varsDir.isDirectory()) {
            runner.err("library ${identifier}: no vars/ under ${dir}".toString())
            throw new StepFailure("library ${identifier} has no vars")
        }
        roots << dir
        (varsDir.listFiles().findAll { it.name.endsWith('.groovy') }.sort { it.name }).each { File f ->
            String var = f.name[0..<-'.groovy'.length()]
            String label = "library vars/${f.name}"
            if (!(var ==~ /[a-z][A-Za-z0-9]*/)) runner.err("${label}: a global variable name must be a camelCase identifier".toString())
            LibraryLint lint = new LibraryLint(label)
            CompilerConfiguration cc = new CompilerConfiguration()
            cc.scriptBaseClass = LibraryVarScript.name
            cc.addCompilationCustomizers(lint)
            try {
                Script s = new GroovyShell(Runner.classLoader, new LibraryBinding(runner), cc).parse(f.getText('UTF-8'), var)
                s.run()
                vars[var] = s
            } catch (CompilationFailedException e) {
                runner.err("${label}: does not compile: ${e.message.readLines().take(3).join(' ')}".toString())
            }
            lint.errors.each { runner.err(it) }
        }
    }

    /**
     * Without --library: the repository the Jenkinsfile lives in, i.e. the nearest directory above it
     * holding `<libraryPath>/vars` (a rendered Jenkinsfile loads the library rendered beside it).
     */
    String repositoryOf(String path) {
        for (File d = runner.jenkinsfile?.absoluteFile?.parentFile; d != null; d = d.parentFile) {
            if (new File(new File(d, path), 'vars').isDirectory()) return d.path
        }
        return null
    }

    /** A global variable runs as a step: one event with its arguments, then its `call`. */
    Object callVar(String name, Object[] args, Map shown) {
        runner.record(name, shown)
        Script s = vars[name]
        calling << s
        runner.depth++
        try {
            return s.invokeMethod('call', args)
        } finally {
            runner.depth--
            calling.remove(calling.size() - 1)
        }
    }

    /** Inside a var's closures every call reaches the step dispatcher first: the var's own methods win. */
    boolean ownMethod(String name) {
        return calling && calling[-1].getClass().declaredMethods.any { it.name == name }
    }

    Object callOwn(String name, Object[] args) { return calling[-1].invokeMethod(name, args) }

    String resource(String path) {
        for (File root : roots) {
            File f = new File(new File(root, 'resources'), path ?: '')
            if (path && f.isFile()) return f.getText('UTF-8')
        }
        runner.err("libraryResource ${path}: no such resource in the loaded libraries".toString())
        throw new StepFailure("no library resource ${path}")
    }
}

/**
 * --shell: runs an sh script in a real /bin/sh with the step's environment, in a scratch workspace.
 * `cutover` is a shell function appending its arguments (NUL-separated) to a file, so the arguments a
 * script would pass to cutover are read back exactly, whatever they hold.
 */
class SandboxShell {
    File root = java.nio.file.Files.createTempDirectory('cutover-harness-sh').toFile()

    Map run(String script, Map<String, String> env) {
        File workspace = new File(root, 'workspace')
        File argv = new File(root, 'argv')
        workspace.deleteDir()
        workspace.mkdirs()
        argv.delete()
        String prelude = 'cutover() { printf \'%s\\0\' cutover "$@" >> "$CUTOVER_HARNESS_ARGV"; }\n'
        ProcessBuilder pb = new ProcessBuilder(['/bin/sh', '-c', prelude + script])
        pb.directory(workspace)
        pb.environment().clear()
        env.each { k, v -> if (k != null && v != null) pb.environment()[k] = v }
        pb.environment().CUTOVER_HARNESS_ARGV = argv.path
        // Whatever binary the pipeline names (a path in a Kubernetes pod), the recording function runs.
        if (pb.environment().containsKey('CUTOVER_BINARY')) pb.environment().CUTOVER_BINARY = 'cutover'
        pb.redirectError(new File(root, 'stderr'))
        Process p = pb.start()
        p.outputStream.close()
        String stdout = p.inputStream.getText('UTF-8')
        int status = p.waitFor()
        List<String> words = argv.isFile() ? argv.getText('UTF-8').split('\u0000', -1).toList() : []
        if (words) words = words[0..-2]
        List<String> wrote = []
        workspace.eachFileRecurse { if (it.isFile()) wrote << workspace.toPath().relativize(it.toPath()).toString() }
        return [argv: words, wrote: wrote.sort(), status: status, stdout: stdout]
    }

    void close() { root.deleteDir() }
}

// ---------------------------------------------------------------------------------------------
// Runner: one Jenkinsfile, one run
// ---------------------------------------------------------------------------------------------

class Options {
    Map<String, String> params = new LinkedHashMap()
    List<String> failStages = []
    Map<String, String> files = new LinkedHashMap()
    Map<String, String> env = new LinkedHashMap()
    boolean reject
    String previousResult
    List<String> paths = []
    boolean batch
    String runs
    /** Library name -> checkout root of its repository (the `library` step applies libraryPath). */
    Map<String, String> libraries = new LinkedHashMap()
    /**
     * Library name -> {libraryPath, defaultVersion, allowVersionOverride, implicit}, read from the
     * FolderLibraries property of folder config.xml files (--folder-library), as Jenkins resolves
     * `library 'name@version'` without a retriever.
     */
    Map<String, Map> folderLibraries = new LinkedHashMap()
    /** Run every sh script in /bin/sh, with `cutover` a function that records its arguments. */
    boolean shell

    static Options parse(List<String> argv) {
        Options o = new Options()
        for (int i = 0; i < argv.size(); i++) {
            String a = argv[i]
            String inlineValue = null
            if (a.startsWith('--') && a.contains('=') && a.indexOf('=') < a.length()) {
                String head = a.substring(0, a.indexOf('='))
                if (head in ['--param', '--fail-stage', '--file', '--env', '--previous-result', '--runs', '--library', '--folder-library']) {
                    inlineValue = a.substring(a.indexOf('=') + 1); a = head
                }
            }
            Closure<String> next = {
                if (inlineValue != null) return inlineValue
                if (i + 1 >= argv.size()) throw new HarnessUsage("${a} needs a value")
                return argv[++i]
            }
            switch (a) {
                case '--param': def kv = kv(next(), a); o.params[kv[0]] = kv[1]; break
                case '--env': def kv = kv(next(), a); o.env[kv[0]] = kv[1]; break
                case '--file': def kv = kv(next(), a); o.files[kv[0]] = kv[1]; break
                case '--library': def kv = kv(next(), a); o.libraries[kv[0]] = kv[1]; break
                case '--folder-library': o.folderLibraries.putAll(folderLibraries(next())); break
                case '--shell': o.shell = true; break
                case '--fail-stage': o.failStages << next(); break
                case '--approve': o.reject = false; break
                case '--reject': o.reject = true; break
                case '--previous-result':
                    o.previousResult = next().toUpperCase()
                    if (!Consts.SEVERITY.containsKey(o.previousResult)) throw new HarnessUsage("bad --previous-result ${o.previousResult}")
                    break
                case '--batch': o.batch = true; break
                case '--runs': o.runs = next(); break
                default:
                    if (a.startsWith('--')) throw new HarnessUsage("unknown option ${a}")
                    o.paths << a
            }
        }
        return o
    }

    /** The LibraryConfiguration entries of a folder config.xml's FolderLibraries property. */
    static Map<String, Map> folderLibraries(String file) {
        File f = new File(file)
        if (!f.isFile()) throw new HarnessUsage("--folder-library ${file}: no such file")
        def root
        try {
            root = new XmlSlurper().parse(f)
        } catch (Exception e) {
            throw new HarnessUsage("--folder-library ${file}: not XML: ${e.message}")
        }
        Map<String, Map> found = new LinkedHashMap()
        root.properties.'org.jenkinsci.plugins.workflow.libs.FolderLibraries'.libraries.'org.jenkinsci.plugins.workflow.libs.LibraryConfiguration'.each { lib ->
            String name = lib.name.text().trim()
            if (!name) return
            def retriever = lib.retriever
            found[name] = [
                libraryPath: retriever.libraryPath.text().trim() ?: null,
                defaultVersion: lib.defaultVersion.text().trim() ?: null,
                allowVersionOverride: lib.allowVersionOverride.text().trim() != 'false',
                implicit: lib.implicit.text().trim() == 'true',
                includeInChangesets: lib.includeInChangesets.text().trim() != 'false',
                retriever: retriever.'@class'.text(),
                scm: retriever.scm.'@class'.text(),
                remote: retriever.scm.remote.text().trim() ?: null,
            ]
        }
        if (found.isEmpty()) throw new HarnessUsage("--folder-library ${file}: no LibraryConfiguration in a FolderLibraries property")
        return found
    }

    static List<String> kv(String s, String opt) {
        int eq = s.indexOf('=')
        if (eq <= 0) throw new HarnessUsage("${opt} expects KEY=VALUE, got '${s}'")
        return [s.substring(0, eq), s.substring(eq + 1)]
    }
}

class Runner {
    final Options opts
    final List<String> errors = []
    final List<String> warnings = []
    final List<Map> events = []
    final StageModel model = new StageModel(name: null, path: [], root: true)
    int pipelineCalls = 0
    JBinding binding
    Script script
    Set<String> scriptMethods = new HashSet()
    Map<String, Object> params = new LinkedHashMap()
    Map<String, String> baseEnv = new LinkedHashMap()
    Map<String, String> globalEnv = new LinkedHashMap()
    Map<String, String> files = new LinkedHashMap()
    Ctx cur = new Ctx()
    String buildResult = 'SUCCESS'
    boolean resultExplicit
    String displayName = '#1'
    String description
    boolean executed
    String result
    EnvProxy envProxy = new EnvProxy(this)
    CurrentBuild currentBuild = new CurrentBuild(this)
    StepsHandler stepsHandler = new StepsHandler(r: this)
    Set<String> failStagesHit = new HashSet()
    SharedLibrary library = new SharedLibrary(runner: this)
    /** The Jenkinsfile being run (its repository is where a library is looked up without --library). */
    File jenkinsfile
    /** Nesting of step bodies and library calls, for call stacks. */
    int depth
    SandboxShell shell

    Runner(Options o) {
        opts = o
        binding = new JBinding(this)
        files.putAll(o.files)
        baseEnv.BUILD_NUMBER = '1'
        baseEnv.BUILD_ID = '1'
        baseEnv.JOB_NAME = 'job'
        baseEnv.PATH = '/usr/local/bin:/usr/bin:/bin'
        baseEnv.putAll(o.env)
        baseEnv.JOB_BASE_NAME = baseEnv.JOB_BASE_NAME ?: baseEnv.JOB_NAME.tokenize('/')[-1]
        baseEnv.WORKSPACE = baseEnv.WORKSPACE ?: ('/var/jenkins/workspace/' + baseEnv.JOB_NAME.replace('/', '_'))
        baseEnv.BUILD_URL = baseEnv.BUILD_URL ?: ('https://jenkins.example.com/job/' + baseEnv.JOB_NAME + '/1/')
        // params from --param until the declared parameters are known
        params.putAll(o.params)
    }

    void err(String m) { if (!errors.contains(m)) errors << m }
    void warn(String m) { if (!warnings.contains(m)) warnings << m }
    String display(String name) {
        return name.startsWith(Consts.RENAME_PREFIX) ? name.substring(Consts.RENAME_PREFIX.length()) : name
    }

    Object runWith(Closure c, DslHandler h) {
        Closure cl = c.rehydrate(new DslProxy(h), c.owner, c.thisObject)
        cl.resolveStrategy = Closure.DELEGATE_FIRST
        return cl.call()
    }

    // ---------------- compile + model ----------------

    Map run(String text) {
        AstCheck check = new AstCheck()
        CompilerConfiguration cc = new CompilerConfiguration()
        cc.scriptBaseClass = JenkinsfileScript.name
        cc.addCompilationCustomizers(check)
        GroovyShell shell = new GroovyShell(Runner.classLoader, binding, cc)
        try {
            script = shell.parse(text, 'Jenkinsfile')
        } catch (MultipleCompilationErrorsException e) {
            e.errorCollector.errors.each { m ->
                if (m instanceof SyntaxErrorMessage) {
                    def se = ((SyntaxErrorMessage) m).cause
                    err("syntax: line ${se.line}, column ${se.startColumn}: ${se.originalMessage}".toString())
                } else if (m instanceof ExceptionMessage) {
                    err("syntax: ${((ExceptionMessage) m).cause?.message}".toString())
                } else {
                    StringWriter sw = new StringWriter(); m.write(new PrintWriter(sw)); err('syntax: ' + sw.toString().trim())
                }
            }
            return output()
        } catch (CompilationFailedException e) {
            err("syntax: ${e.message}".toString())
            return output()
        }
        check.errors.each { err(it) }
        scriptMethods.addAll(check.scriptMethods)
        script.binding = binding
        try {
            script.run()
        } catch (StepFailure e) {
            // already reported (unknown step outside the pipeline block)
        } catch (Throwable t) {
            Integer line = Util.jenkinsfileLine(t)
            err("runtime: error while evaluating the Jenkinsfile${line ? " (line ${line})" : ''}: ${describe(t)}".toString())
        }
        // A library loaded at the top of the Jenkinsfile (the `library` step) defines its global variables
        // before the pipeline runs, as in Jenkins; any other unknown name is an error.
        check.unknownSteps.each { if (!library.vars.containsKey(it[0])) err(it[1]) }
        if (pipelineCalls == 0) err('no pipeline block found')
        else {
            finalizeModel()
            validate()
        }
        if (errors.isEmpty()) execute()
        return output()
    }

    Object pipelineBlock(Object[] args) {
        pipelineCalls++
        if (pipelineCalls > 1) { err('more than one pipeline block'); return null }
        Closure c = Util.body(args)
        if (c == null) { err('pipeline needs a { } block'); return null }
        runWith(c, new PipelineHandler(r: this, p: model))
        return null
    }

    Map parseAgent(Object[] args, String where) {
        if (args.length != 1) { err("agent in ${where} needs exactly one argument"); return null }
        Object a = args[0]
        if (a instanceof AgentToken) return [type: ((AgentToken) a).type]
        if (a instanceof Closure) {
            List<Map> found = []
            runWith((Closure) a, new AgentBodyHandler(r: this, found: found, label: where))
            if (found.isEmpty()) { err("agent block in ${where} is empty"); return null }
            if (found.size() > 1) err("agent block in ${where} declares more than one agent")
            return found[0]
        }
        if (a instanceof Map && ((Map) a).label) return [type: 'label', label: ((Map) a).label.toString()]
        err("invalid agent in ${where}: ${a}")
        return null
    }

    String agentType(StageModel s) { return s.agents ? s.agents[0].type : null }

    void finalizeModel() {
        // params: declared defaults, overridden by --param (converted to the declared type)
        Map<String, Object> p = new LinkedHashMap()
        model.parameters.each { Map d -> if (d.name) p[d.name] = d.defaultValue }
        opts.params.each { k, v ->
            Map d = model.parameters.find { it.name == k }
            if (d == null) { warn("--param ${k} is not a declared parameter"); p[k] = v; return }
            switch (d.type) {
                case 'booleanParam': p[k] = Boolean.valueOf(v); break
                case 'choice':
                    if (d.choices && !(v in d.choices)) warn("--param ${k}=${v} is not one of the choices ${d.choices}")
                    p[k] = v; break
                default: p[k] = d.trim ? v.trim() : v
            }
        }
        params = p
        Map<String, String> visible = new LinkedHashMap(baseEnv)
        params.each { k, v -> visible[k] = v == null ? '' : v.toString() }
        if (model.environmentBody) model.environment = evalEnvironment(model.environmentBody, visible, 'pipeline', true)
        model.environment.each { k, v -> visible[k] = (v instanceof CredRef) ? '****' : v }
        finalizeStages(model.children(), visible)
        opts.failStages.each { String f ->
            if (!findStage(model, f)) warn("--fail-stage ${f}: no such stage")
        }
    }

    void finalizeStages(List<StageModel> list, Map visible) {
        list.each { StageModel s ->
            Map v = new LinkedHashMap(visible)
            if (s.environmentBody) {
                s.environment = evalEnvironment(s.environmentBody, visible, s.label(), true)
                s.environment.each { k, val -> v[k] = (val instanceof CredRef) ? '****' : val }
            }
            finalizeStages(s.children(), v)
        }
    }

    boolean findStage(StageModel s, String f) {
        return s.children().any { StageModel c -> c.name == f || c.path.join('/') == f || findStage(c, f) }
    }

    Map evalEnvironment(Closure body, Map visible, String label, boolean report) {
        Map out = new LinkedHashMap()
        try {
            runWith(body, new EnvHandler(r: this, out: out, visible: visible, label: label, report: report))
        } catch (MissingPropertyException e) {
            if (report) err("environment of ${label} refers to unknown variable '${e.property}'")
        } catch (Throwable t) {
            if (report) err("environment of ${label} failed: ${describe(t)}")
        }
        return out
    }

    // ---------------- validation ----------------

    void validate() {
        StageModel p = model
        if (p.n('agent') == 0) err('pipeline has no agent')
        if (p.n('agent') > 1) err('pipeline has more than one agent')
        if (p.n('stages') == 0) err('pipeline has no stages')
        if (p.n('stages') > 1) err('pipeline has more than one stages section')
        ['options', 'parameters', 'environment', 'post', 'triggers', 'tools'].each { d ->
            if (p.n(d) > 1) err("pipeline has more than one ${d} section")
        }
        if (p.n('stages') > 0) validateList(p.stages, 'pipeline stages', false)
    }

    void validateList(List<StageModel> list, String where, boolean inParallel) {
        if (list.isEmpty()) { err("${where} has no stage"); return }
        Set<String> seen = new HashSet()
        list.each { StageModel s ->
            if (!s.name?.trim()) err("stage with empty name in ${where}")
            else if (!seen.add(s.name)) err("duplicate stage name '${s.name}' in ${where}")
            validateStage(s, inParallel)
        }
    }

    void validateStage(StageModel s, boolean inParallel) {
        String l = s.label()
        List<String> kinds = ['steps', 'parallel', 'stages'].findAll { s.n(it) > 0 }
        if (kinds.isEmpty()) err("${l} has none of steps, parallel or stages")
        else if (kinds.size() == 2) err("${l} has both ${kinds[0]} and ${kinds[1]}")
        else if (kinds.size() == 3) err("${l} has steps, parallel and stages")
        ['steps', 'parallel', 'stages', 'agent', 'options', 'environment', 'when', 'input', 'post', 'failFast', 'tools'].each { d ->
            if (s.n(d) > 1) err("${l} has more than one ${d} section")
        }
        if (s.n('failFast') > 0 && s.n('parallel') == 0) err("failFast in ${l} without parallel")
        if (s.n('parallel') > 0 && inParallel) err("nested parallel in ${l}: parallel is not allowed inside a parallel branch")
        if (s.input != null && !s.input.message) err("input in ${l} has no message")
        if (s.n('parallel') > 0) validateList(s.parallel, "parallel of ${l}", true)
        if (s.n('stages') > 0) validateList(s.stages, "stages of ${l}", inParallel)
    }

    // ---------------- execution ----------------

    String lockResource(Map o) {
        if (o.name != 'lock') return null
        Map a = o.args
        Object res = a.resource ?: (a.value instanceof CharSequence ? a.value : null)
        if (res) return res.toString()
        if (a.label) return 'label:' + a.label
        return null
    }

    boolean hasOption(StageModel s, String name) { return s.options.any { it.name == name } }

    void setResult(String r) { buildResult = Consts.worse(buildResult, r) }

    void applyEnvironment(Ctx ctx, Map env) {
        env.each { k, v ->
            if (v instanceof CredRef) {
                ctx.env[k] = '****'
                if (!ctx.creds.contains(v.id)) ctx.creds << v.id
            } else {
                ctx.env[k] = v == null ? null : v.toString()
            }
        }
    }

    void execute() {
        executed = true
        Ctx root = new Ctx()
        root.hasNode = agentType(model) != 'none'
        applyEnvironment(root, model.environment)
        model.options.each { o -> String l = lockResource(o); if (l) root.locks << l }
        cur = root
        runList(model.stages, root)
        model.status = buildResult
        runPost(model, root, buildResult)
        result = buildResult
        shell?.close()
        opts.failStages.each { f ->
            if (!failStagesHit.contains(f) && findStage(model, f)) warn("--fail-stage ${f}: no sh was executed in that stage")
        }
    }

    /** Runs sibling stages; after a halted stage the rest are SKIPPED. Returns [worst, halted]. */
    List runList(List<StageModel> list, Ctx ctx) {
        String worst = 'SUCCESS'
        boolean halted = false
        list.each { StageModel s ->
            if (halted) { mark(s, 'SKIPPED'); return }
            runStage(s, ctx)
            worst = Consts.worse(worst, s.status)
            if (s.halted) halted = true
            if (s.status == 'UNSTABLE' && hasOption(model, 'skipStagesAfterUnstable')) halted = true
        }
        return [worst, halted]
    }

    void mark(StageModel s, String status) {
        s.status = status
        s.children().each { mark(it, status) }
    }

    List runParallel(StageModel s, Ctx ctx) {
        boolean ff = s.failFast || hasOption(model, 'parallelsAlwaysFailFast')
        boolean stop = false
        String worst = 'SUCCESS'
        boolean halted = false
        s.parallel.each { StageModel b ->
            if (stop) { mark(b, 'ABORTED'); return }
            runStage(b, ctx)
            worst = Consts.worse(worst, b.status)
            if (b.halted) { halted = true; if (ff) stop = true }
        }
        return [worst, halted]
    }

    void runStage(StageModel s, Ctx parent) {
        Ctx ctx = parent.copy()
        ctx.stagePath << s.name
        ctx.stages << s
        if (s.parallelBranch) ctx.branch = s.name
        ctx.post = null
        Ctx saved = cur
        cur = ctx
        String status = 'SUCCESS'
        boolean halted = false
        int attempts = 1
        try {
            s.options.each { o ->
                String l = lockResource(o); if (l) ctx.locks << l
                if (o.name == 'retry' && o.args.value instanceof Number) attempts = Math.max(1, (o.args.value as int))
            }
            // input directive: after options, before when/agent/environment
            if (s.input != null) {
                Map a = new LinkedHashMap()
                s.input.each { k, v -> if (v != null && !(k == 'parameters' && !v)) a[k] = v }
                Map ev = record('input', a)
                ev.directive = true
                if (opts.reject) throw new BuildAborted("input rejected in ${s.label()}")
                s.input.parameters.each { Map p -> ctx.env[p.name] = p.defaultValue == null ? '' : p.defaultValue.toString() }
                if (s.input.submitterParameter) ctx.env[s.input.submitterParameter] = 'approver'
            }
            if (s.agents) ctx.hasNode = agentType(s) != 'none'
            if (s.environmentBody) {
                Map runtimeEnv = new LinkedHashMap(effectiveEnv())
                applyEnvironment(ctx, evalEnvironment(s.environmentBody, runtimeEnv, s.label(), false))
            }
            for (int attempt = 1; attempt <= attempts; attempt++) {
                try {
                    status = 'SUCCESS'; halted = false
                    runStageBody(s, ctx)
                    break
                } catch (StepFailure e) {
                    status = 'FAILURE'; halted = true
                } catch (ChildHalt e) {
                    status = e.status; halted = true
                    if (status != 'FAILURE') break
                }
            }
        } catch (BuildAborted e) {
            status = 'ABORTED'; halted = true
        } catch (ChildHalt e) {
            status = e.status; halted = true
        } catch (StepFailure e) {
            status = 'FAILURE'; halted = true
        } catch (Throwable t) {
            runtimeError(t)
            status = 'FAILURE'; halted = true
        } finally {
            cur = saved
        }
        if (s.forcedStatus) status = Consts.worse(status, s.forcedStatus)
        if (halted) setResult(status)
        String after = runPost(s, ctx, status)
        if (after != status) { status = after; halted = true; setResult(status) }
        s.status = status
        s.halted = halted
    }

    void runStageBody(StageModel s, Ctx ctx) {
        if (s.n('steps') > 0) {
            s.steps.each { Closure c -> runBody(c, ctx) }
        } else if (s.n('parallel') > 0) {
            def (String worst, boolean halted) = runParallel(s, ctx)
            if (halted) throw new ChildHalt(worst)
            if (worst != 'SUCCESS') s.forcedStatus = Consts.worse(s.forcedStatus, worst)
        } else if (s.n('stages') > 0) {
            def (String worst, boolean halted) = runList(s.stages, ctx)
            if (halted) throw new ChildHalt(worst)
            if (worst != 'SUCCESS') s.forcedStatus = Consts.worse(s.forcedStatus, worst)
        }
    }

    boolean postApplies(String cond, String status) {
        String prev = opts.previousResult
        switch (cond) {
            case 'always': case 'cleanup': return true
            case 'success': return status == 'SUCCESS'
            case 'failure': return status == 'FAILURE'
            case 'unstable': return status == 'UNSTABLE'
            case 'aborted': return status == 'ABORTED'
            case 'unsuccessful': return status != 'SUCCESS'
            case 'changed': return prev != null && prev != status
            case 'fixed': return prev in ['FAILURE', 'UNSTABLE'] && status == 'SUCCESS'
            case 'regression': return prev == 'SUCCESS' && status in ['FAILURE', 'UNSTABLE', 'ABORTED']
        }
        return false
    }

    /** Runs post conditions in Jenkins order; returns the status after post. */
    String runPost(StageModel s, Ctx ctx, String status) {
        s.postRan = []
        for (String cond : Consts.POST_ORDER) {
            Closure c = s.post[cond]
            if (c == null) continue
            String now = s.root ? buildResult : status
            if (!postApplies(cond, now)) continue
            s.postRan << cond
            Ctx pc = ctx.copy()
            pc.post = cond
            try {
                runBody(c, pc)
            } catch (StepFailure e) {
                status = Consts.worse(status, 'FAILURE'); setResult('FAILURE')
            } catch (BuildAborted e) {
                status = Consts.worse(status, 'ABORTED'); setResult('ABORTED')
            } catch (Throwable t) {
                Ctx saved = cur; cur = pc
                runtimeError(t)
                cur = saved
                status = Consts.worse(status, 'FAILURE'); setResult('FAILURE')
            }
        }
        return status
    }

    Object runBody(Closure c, Ctx ctx) {
        Ctx saved = cur
        cur = ctx
        try {
            return runWith(c, stepsHandler)
        } finally {
            cur = saved
        }
    }

    String describe(Throwable t) {
        if (t instanceof MissingPropertyException) return "unknown variable '${((MissingPropertyException) t).property}'"
        if (t instanceof MissingMethodException) return "no method '${((MissingMethodException) t).method}' for arguments ${((MissingMethodException) t).arguments*.getClass()*.simpleName}"
        return "${t.getClass().simpleName}: ${t.message}"
    }

    void runtimeError(Throwable t) {
        Integer line = Util.jenkinsfileLine(t)
        err("runtime: ${describe(t)} in ${cur.where()}${line ? " (line ${line})" : ''}".toString())
    }

    // ---------------- variables ----------------

    Map<String, String> effectiveEnv() {
        Map<String, String> e = new LinkedHashMap(baseEnv)
        params.each { k, v -> e[k] = v == null ? '' : v.toString() }
        e.putAll(globalEnv)
        e.putAll(cur.env)
        if (cur.stagePath) e.STAGE_NAME = cur.stagePath[-1]
        return e
    }

    Object resolveVar(String name) {
        switch (name) {
            case 'params': return params
            case 'env': return envProxy
            case 'currentBuild': return currentBuild
            case 'scm': return new ScmRef()
        }
        if (binding.variables.containsKey(name)) return binding.variables[name]
        Map e = effectiveEnv()
        if (e.containsKey(name)) return e[name]
        if (params.containsKey(name)) return params[name]
        throw new MissingPropertyException(name, DslProxy)
    }

    // ---------------- steps ----------------

    Map record(String name, Map args) {
        Map ev = new LinkedHashMap()
        ev.step = name
        ev.args = Util.json(args)
        ev.stage = new ArrayList(cur.stagePath)
        ev.parallelBranch = cur.branch
        ev.env = Util.json(effectiveEnv())
        ev.credentials = new ArrayList(cur.creds)
        ev.locks = new ArrayList(cur.locks)
        ev.dir = cur.dir
        ev.post = cur.post
        ev.depth = depth
        events << ev
        return ev
    }

    boolean injectFailure() {
        if (cur.post != null || opts.failStages.isEmpty()) return false
        for (StageModel s : cur.stages) {
            String f = opts.failStages.find { it == s.name || it == s.path.join('/') }
            if (f != null && !s.injectionConsumed) {
                s.injectionConsumed = true
                failStagesHit << f
                return true
            }
        }
        return false
    }

    Object withCtx(Ctx ctx, Closure body) {
        if (body == null) return null
        depth++
        try {
            return runBody(body, ctx)
        } finally {
            depth--
        }
    }

    Object step(String rawName, Object[] args) {
        String name = display(rawName)
        Map named = Util.named(args)
        List pos = Util.positional(args)
        Closure body = Util.body(args)
        Object first = pos ? pos[0] : null

        if (name in Consts.HELPERS) {
            Map d = new LinkedHashMap()
            d.type = name
            d.putAll(named.collectEntries { k, v -> [(String.valueOf(k)): v] })
            if (first != null) d.value = first
            return d
        }
        if (name == 'sprintf') return sprintf(first?.toString(), (pos.size() > 1 ? pos[1..-1] : []) as Object[])

        if (!(name in Consts.STEPS)) {
            if (library.ownMethod(name)) return library.callOwn(name, args)
            if (library.vars.containsKey(name)) return library.callVar(name, args, Util.normArgs(args))
            if (scriptMethods.contains(name)) return script.invokeMethod(name, args)
            err("unknown step: ${name} in ${cur.where()}".toString())
            throw new StepFailure("unknown step: ${name}")
        }
        if (name in Consts.NODE_STEPS && !cur.hasNode) {
            err("step '${name}' in ${cur.where()} needs an agent (pipeline agent none and no stage agent)".toString())
        }
        Map args0 = Util.normArgs(args)

        switch (name) {
            case 'sh':
                Object scr = named.containsKey('script') ? named.script : first
                Map ev = record('sh', args0)
                if (scr == null) {
                    err("sh without script in ${cur.where()}".toString())
                    throw new StepFailure('sh without script')
                }
                if (scr instanceof GString) err("sh with Groovy interpolation in ${cur.gstringWhere()}".toString())
                ev.script = scr.toString()
                boolean fail = injectFailure()
                if (fail) ev.failed = true
                int status = fail ? 1 : 0
                String stdout = ''
                if (opts.shell && !fail) {
                    if (shell == null) shell = new SandboxShell()
                    Map res = shell.run(scr.toString(), effectiveEnv())
                    ev.argv = res.argv
                    ev.wrote = res.wrote
                    ev.status = res.status
                    status = res.status as int
                    stdout = res.stdout
                }
                if (named.returnStatus) return status
                if (status != 0) throw new StepFailure("script returned exit code ${status}")
                if (named.returnStdout) return stdout
                return null
            case 'echo': case 'println': case 'print':
                record(name, args0); return null
            case 'printf':
                record(name, args0); return null
            case 'error':
                record(name, args0)
                throw new StepFailure((named.message ?: first ?: 'error').toString())
            case 'unstable':
                record(name, args0)
                setResult('UNSTABLE')
                if (cur.stages) cur.stages[-1].forcedStatus = Consts.worse(cur.stages[-1].forcedStatus, 'UNSTABLE')
                return null
            case 'dir':
                record(name, args0)
                Ctx c = cur.copy(); c.dir = Util.joinDir(cur.dir, (first ?: named.path)?.toString())
                return withCtx(c, body)
            case 'withCredentials':
                return withCredentials(first, args0, body)
            case 'withEnv':
                record(name, args0)
                Ctx c = cur.copy()
                (first instanceof Collection ? first : []).each { e ->
                    String s = e.toString(); int eq = s.indexOf('=')
                    if (eq <= 0) err("withEnv entry '${s}' in ${cur.where()} is not KEY=VALUE".toString())
                    else c.env[s.substring(0, eq)] = s.substring(eq + 1)
                }
                return withCtx(c, body)
            case 'lock':
                record(name, args0)
                String res = lockResource([name: 'lock', args: args0])
                if (res == null) err("lock in ${cur.where()} needs a resource or label".toString())
                Ctx c = cur.copy(); if (res) c.locks << res
                return withCtx(c, body)
            case 'timeout': case 'timestamps': case 'ansiColor':
                record(name, args0)
                return withCtx(cur, body)
            case 'retry':
                record(name, args0)
                int n = ((first ?: named.count ?: 1) as int)
                for (int i = 1; ; i++) {
                    try { return withCtx(cur, body) }
                    catch (StepFailure e) { if (i >= n) throw e }
                }
            case 'script':
                record(name, args0)
                return withCtx(cur, body)
            case 'catchError': case 'warnError':
                record(name, args0)
                try { return withCtx(cur, body) }
                catch (StepFailure e) {
                    String br = name == 'warnError' ? 'UNSTABLE' : (named.buildResult ?: 'FAILURE').toString()
                    String sr = name == 'warnError' ? 'UNSTABLE' : (named.stageResult ?: br).toString()
                    setResult(br)
                    if (cur.stages) cur.stages[-1].forcedStatus = Consts.worse(cur.stages[-1].forcedStatus, sr)
                    return null
                }
            case 'input':
                record(name, args0)
                if (!(named.message ?: first)) err("input step without message in ${cur.where()}".toString())
                if (opts.reject) throw new BuildAborted("input rejected in ${cur.where()}")
                List ps = (named.parameters instanceof Collection) ? (List) named.parameters : []
                Map values = new LinkedHashMap()
                ps.each { p -> if (p instanceof Map) values[p.name] = p.containsKey('defaultValue') ? p.defaultValue : (p.choices instanceof Collection ? p.choices[0] : null) }
                if (named.submitterParameter) values[named.submitterParameter] = 'approver'
                if (values.isEmpty()) return null
                if (values.size() == 1) return values.values()[0]
                return values
            case 'build':
                record(name, args0)
                if (!named.job && !first) err("build in ${cur.where()} needs a job".toString())
                if (named.containsKey('wait') && !named.wait) return null
                return [result: 'SUCCESS', currentResult: 'SUCCESS', number: 1, displayName: '#1',
                        absoluteUrl: 'https://jenkins.example.com/job/' + (named.job ?: first) + '/1/', buildVariables: [:]]
            case 'readFile':
                String path = Util.joinDir(cur.dir, (named.file ?: first)?.toString())
                Map ev = record(name, args0)
                if (!files.containsKey(path)) {
                    ev.args.found = false
                    warn("readFile ${path}: not provided with --file, returned an empty string")
                    return ''
                }
                return files[path]
            case 'writeFile':
                record(name, args0)
                files[Util.joinDir(cur.dir, named.file?.toString())] = named.text?.toString()
                return null
            case 'fileExists':
                record(name, args0)
                return files.containsKey(Util.joinDir(cur.dir, (named.file ?: first)?.toString()))
            case 'checkout': case 'git':
                record(name, args0)
                return [GIT_COMMIT: '0000000000000000000000000000000000000000', GIT_BRANCH: (named.branch ?: 'main').toString()]
            case 'pwd':
                record(name, args0)
                return Util.joinDir(baseEnv.WORKSPACE, cur.dir)
            case 'isUnix':
                record(name, args0); return true
            case 'parallel':
                return scriptedParallel(named, args0)
            case 'library':
                record(name, args0)
                library.load((named.identifier ?: first)?.toString(), named.retriever)
                return null
            case 'libraryResource':
                record(name, args0)
                return library.resource((named.resource ?: first)?.toString())
            default: // archiveArtifacts junit stash unstash cleanWs deleteDir sleep milestone
                record(name, args0)
                return null
        }
    }

    Object withCredentials(Object bindings, Map args0, Closure body) {
        Ctx c = cur.copy()
        List ids = []
        if (!(bindings instanceof Collection)) err("withCredentials in ${cur.where()} needs a list of bindings".toString())
        (bindings instanceof Collection ? bindings : []).each { b ->
            if (!(b instanceof Map)) { err("withCredentials in ${cur.where()}: unsupported binding ${b}".toString()); return }
            Map m = (Map) b
            if (!m.credentialsId) err("withCredentials binding without credentialsId in ${cur.where()}".toString())
            else if (!ids.contains(m.credentialsId.toString())) ids << m.credentialsId.toString()
            List vars = []
            m.each { k, v -> if ((k == 'variable' || k.toString().endsWith('Variable')) && v) vars << v.toString() }
            if (m.get('$class') == 'AmazonWebServicesCredentialsBinding') {
                if (!m.accessKeyVariable) vars << 'AWS_ACCESS_KEY_ID'
                if (!m.secretKeyVariable) vars << 'AWS_SECRET_ACCESS_KEY'
            }
            if (vars.isEmpty()) err("withCredentials binding for '${m.credentialsId}' in ${cur.where()} binds no variable".toString())
            vars.each { c.env[it] = '****' }
        }
        record('withCredentials', args0)
        ids.each { if (!c.creds.contains(it)) c.creds << it }
        return withCtx(c, body)
    }

    Object scriptedParallel(Map named, Map args0) {
        Map shown = new LinkedHashMap(args0)
        record('parallel', shown)
        boolean ff = named.failFast as boolean
        boolean failed = false
        boolean aborted = false
        for (def e : named.entrySet()) {
            if (e.key == 'failFast' || !(e.value instanceof Closure)) continue
            if (failed && ff) break
            Ctx c = cur.copy(); c.branch = e.key.toString()
            try { withCtx(c, (Closure) e.value) }
            catch (StepFailure x) { failed = true }
            catch (BuildAborted x) { aborted = true }
        }
        if (aborted) throw new BuildAborted('parallel branch aborted')
        if (failed) throw new StepFailure('parallel branch failed')
        return null
    }

    // ---------------- output ----------------

    Map stageJson(StageModel s) {
        Map m = new LinkedHashMap()
        m.name = s.name
        m.path = s.path
        m.type = s.type()
        m.failFast = s.failFast ? true : false
        m.status = s.status
        m.input = s.input == null ? null : Util.json(s.input)
        m.options = Util.json(s.options)
        m.when = Util.json(s.when)
        m.agent = s.agents ? Util.json(s.agents[0]) : null
        m.environment = Util.json(s.environment)
        m.post = [declared: new ArrayList(s.post.keySet()), ran: s.postRan]
        m.children = s.children().collect { stageJson(it) }
        return m
    }

    Map output() {
        Map o = new LinkedHashMap()
        o.valid = errors.isEmpty()
        o.errors = errors
        o.warnings = warnings
        o.result = executed ? result : null
        o.agent = model.agents ? Util.json(model.agents[0]) : null
        o.options = Util.json(model.options)
        o.parameters = Util.json(model.parameters)
        o.environment = Util.json(model.environment)
        o.stages = model.children().collect { stageJson(it) }
        o.events = events
        o.post = [declared: new ArrayList(model.post.keySet()), ran: model.postRan]
        o.params = Util.json(params)
        o.triggers = Util.json(model.triggers)
        o.currentBuild = [displayName: displayName, description: description]
        return o
    }
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

class Harness {
    static final String USAGE = '''usage: groovy harness.groovy [--param K=V]... [--fail-stage NAME]... [--file PATH=CONTENT]...
       [--env K=V]... [--approve|--reject] [--previous-result RESULT] JENKINSFILE
   or: groovy harness.groovy [options] --batch JENKINSFILE...
   or: groovy harness.groovy --runs SPEC.json   (SPEC = [{"id": "...", "args": [...]}])'''

    static Map runOne(Options o, String path) {
        File f = new File(path)
        Runner r = new Runner(o)
        r.jenkinsfile = f
        try {
            return r.run(f.getText('UTF-8'))
        } catch (StackOverflowError | Exception e) {
            r.err("harness: internal error: ${e.getClass().name}: ${e.message}".toString())
            return r.output()
        }
    }

    static int main(List<String> argv, PrintStream out) {
        Options o
        try {
            if (argv.contains('--help') || argv.contains('-h')) { System.err.println(USAGE); return 2 }
            o = Options.parse(argv)
            if (o.runs) {
                if (o.paths) throw new HarnessUsage('--runs takes no other file arguments')
                File spec = new File(o.runs)
                if (!spec.isFile()) throw new HarnessUsage("no such file: ${o.runs}")
                def list = new JsonSlurper().parse(spec)
                if (!(list instanceof List)) throw new HarnessUsage('--runs file must hold a JSON array')
                List<List> jobs = []
                list.each { item ->
                    if (!(item instanceof Map) || !item.id || !(item.args instanceof List)) throw new HarnessUsage("bad --runs entry: ${item}")
                    Options io = Options.parse(item.args.collect { it.toString() })
                    if (io.paths.size() != 1 || io.batch || io.runs) throw new HarnessUsage("--runs entry ${item.id} needs exactly one Jenkinsfile")
                    checkFile(io.paths[0])
                    jobs << [item.id.toString(), io]
                }
                Map all = new LinkedHashMap()
                boolean ok = true
                jobs.each { j -> Map res = runOne((Options) j[1], ((Options) j[1]).paths[0]); all[j[0]] = res; ok = ok && res.valid }
                out.println(JsonOutput.toJson(all))
                return ok ? 0 : 1
            }
            if (o.paths.isEmpty()) throw new HarnessUsage('no Jenkinsfile given')
            if (!o.batch && o.paths.size() != 1) throw new HarnessUsage('exactly one Jenkinsfile expected (use --batch for several)')
            o.paths.each { checkFile(it) }
        } catch (HarnessUsage e) {
            System.err.println('harness: ' + e.message)
            System.err.println(USAGE)
            return 2
        }
        if (o.batch) {
            Map all = new LinkedHashMap()
            boolean ok = true
            o.paths.each { p -> Map res = runOne(o, p); all[p] = res; ok = ok && res.valid }
            out.println(JsonOutput.toJson(all))
            return ok ? 0 : 1
        }
        Map res = runOne(o, o.paths[0])
        out.println(JsonOutput.toJson(res))
        return res.valid ? 0 : 1
    }

    static void checkFile(String p) {
        if (!new File(p).isFile()) throw new HarnessUsage("no such file: ${p}")
    }
}
