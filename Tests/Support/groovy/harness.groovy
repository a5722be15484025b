// Offline test harness for rendered Jenkinsfiles (declarative pipelines), Groovy 2.4.
//
//   groovy harness.groovy [--param K=V]... [--fail-stage NAME]... [--file PATH=CONTENT]...
//                         [--env K=V]... [--approve|--reject] [--previous-result R] JENKINSFILE
//   groovy harness.groovy [options] --batch JENKINSFILE...   -> {"JENKINSFILE": result, ...}
//   groovy harness.groovy --runs SPEC.json                   -> {"id": result, ...}
//
// Prints one JSON document on stdout. Exit 0: valid pipeline (even if the simulated run
// failed); 1: invalid (syntax error or declarative rule violated); 2: usage error.
// Command line, JSON schema and limitations: README.md next to this file.
//
// This file is only a launcher: the harness itself lives in harness-core.groovy. Compiling
// that file takes ~2 s on a cold JVM, so it is compiled once into a cache directory keyed by
// its content hash (default: $TMPDIR/cutover-groovy-harness-$USER; override with the
// CUTOVER_HARNESS_CACHE environment variable, or set it to "off" to compile in memory).

import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.security.MessageDigest
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration

File here = new File(getClass().protectionDomain.codeSource.location.toURI()).parentFile
File core = new File(here, 'harness-core.groovy')
PrintStream realOut = System.out
// Anything the Jenkinsfile or Groovy prints must not corrupt the JSON on stdout.
System.setOut(System.err)

Class harnessClass = null
String cacheSetting = System.getenv('CUTOVER_HARNESS_CACHE')
if (cacheSetting != 'off') {
    try {
        MessageDigest md = MessageDigest.getInstance('SHA-1')
        md.update(core.bytes)
        md.update((GroovySystem.version + '|' + System.getProperty('java.version')).getBytes('UTF-8'))
        String key = md.digest().collect { String.format('%02x', it) }.join()
        File root = cacheSetting ? new File(cacheSetting) :
            new File(System.getProperty('java.io.tmpdir'), 'cutover-groovy-harness-' + System.getProperty('user.name'))
        File dir = new File(root, key)
        root.mkdirs()
        String owner = Files.getOwner(root.toPath()).name
        if (owner != System.getProperty('user.name')) throw new IOException("${root} is owned by ${owner}")
        if (!new File(dir, 'Harness.class').isFile()) {
            File tmp = Files.createTempDirectory(root.toPath(), key + '.tmp').toFile()
            CompilerConfiguration cc = new CompilerConfiguration()
            cc.targetDirectory = tmp
            CompilationUnit cu = new CompilationUnit(cc, null, new GroovyClassLoader(getClass().classLoader))
            cu.addSource(core)
            cu.compile()
            try {
                Files.move(tmp.toPath(), dir.toPath(), StandardCopyOption.ATOMIC_MOVE)
            } catch (IOException raced) {
                tmp.deleteDir() // another process installed the same key first
            }
        }
        URLClassLoader loader = new URLClassLoader([dir.toURI().toURL()] as URL[], getClass().classLoader)
        harnessClass = loader.loadClass('Harness')
    } catch (Exception e) {
        System.err.println("harness: compile cache unavailable (${e.getClass().simpleName}: ${e.message}); compiling in memory")
        harnessClass = null
    }
}
if (harnessClass == null) {
    GroovyClassLoader gcl = new GroovyClassLoader(getClass().classLoader)
    gcl.parseClass(core)
    harnessClass = gcl.loadClass('Harness')
}

int code = harnessClass.main(args as List<String>, realOut) as int
realOut.flush()
System.exit(code)
