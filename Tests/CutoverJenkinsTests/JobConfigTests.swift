import CutoverCore
@testable import CutoverJenkins
import CutoverTesting
import Foundation
import Testing

/// What `register` compares: a job's config as cutover rendered it against the one Jenkins stores.
@Suite("Job config comparison and its XML reader")
struct JobConfigTests {
    static let rendered = """
        <?xml version="1.0" encoding="UTF-8"?>
        <flow-definition plugin="workflow-job">
          <description>managed by cutover &amp; friends</description>
          <properties>
            <hudson.model.ParametersDefinitionProperty>
              <parameterDefinitions/>
            </hudson.model.ParametersDefinitionProperty>
          </properties>
          <definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition" plugin="workflow-cps">
            <script>pipeline { stage('a') { sh "echo \\"$X\\" &lt; in" } }</script>
            <sandbox>true</sandbox>
          </definition>
        </flow-definition>
        """

    /// The same job as Jenkins writes it back: XML 1.1, its own indentation and line ends, plugin
    /// versions, attributes in another order, an empty element spelt out, the script in CDATA, a
    /// comment, references where cutover wrote characters.
    static let stored = "<?xml version='1.1' encoding='UTF-8'?>\r\n<flow-definition plugin=\"workflow-job@1400.v7fd111b_ec82f\">\r\n"
        + "<!-- kept by Jenkins -->\r\n<description>managed by cutover &#38; friends</description>\r\n"
        + "<properties><hudson.model.ParametersDefinitionProperty><parameterDefinitions></parameterDefinitions>"
        + "</hudson.model.ParametersDefinitionProperty></properties>\r\n"
        + "<definition plugin='workflow-cps@3990.vd2b_b_d8ef43c8' class='org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition'>"
        + "<script><![CDATA[pipeline { stage('a') { sh \"echo \\\"$X\\\" < in\" } }]]></script><sandbox>true</sandbox></definition>"
        + "</flow-definition>"

    @Test func jenkinsRewritingIsNotAChange() {
        #expect(JobConfig.equivalent(Self.rendered, Self.stored))
        #expect(JobConfig.canonical(Self.rendered) == JobConfig.canonical(Self.stored))
    }

    @Test func everyChangeOfContentIsOne() {
        let changes = [
            Self.rendered.replacingOccurrences(of: "echo", with: "echo "),  // the script's text
            Self.rendered.replacingOccurrences(of: "<sandbox>true", with: "<sandbox>false"),
            Self.rendered.replacingOccurrences(of: "cps.CpsFlowDefinition", with: "cps.CpsScmFlowDefinition"),  // an attribute
            Self.rendered.replacingOccurrences(of: "<parameterDefinitions/>", with: "<parameterDefinitions><a/></parameterDefinitions>"),
            Self.rendered.replacingOccurrences(of: "<description>", with: "<description> "),  // a leaf's whitespace is content
            Self.rendered.replacingOccurrences(of: "<sandbox>true</sandbox>", with: "<sandbox>true</sandbox><x/>"),
        ]
        for changed in changes {
            #expect(changed != Self.rendered)
            #expect(!JobConfig.equivalent(changed, Self.stored), "\(changed)")
        }
        // Text that reads like markup is still text, and an attribute's quote is part of its value.
        #expect(!JobConfig.equivalent("<x>&lt;y&gt;&lt;/y&gt;</x>", "<x><y></y></x>"))
        #expect(!JobConfig.equivalent("<x a='1&quot; b=&quot;2'/>", "<x a='1' b='2'/>"))
    }

    @Test func theDescriptionIsItsWholeText() {
        #expect(JobConfig.description(of: Self.stored) == "managed by cutover & friends")
        #expect(JobConfig.description(of: "<project><description>a<![CDATA[<b>]]>&lt;c</description></project>") == "a<b><c")
        #expect(JobConfig.description(of: "<project><description>") == nil)
    }

    @Test func aDocumentItCannotReadIsComparedByteForByte() {
        let broken = "<project><description>x</project>"
        #expect(JobConfig.canonical(broken) == broken)
        #expect(JobConfig.equivalent(broken, broken))
        #expect(!JobConfig.equivalent(broken, "<project><description>x</description></project>"))
    }

    /// Whether a document is well-formed, answered by the reader and by Python's expat for the same
    /// documents: what expat refuses, a folder edit must refuse too, and what it reads must be read.
    @Test func wellFormednessAgreesWithExpat() throws {
        let documents = [
            "<a/>", "<a></a>", "<?xml version='1.0'?><a/>", "\u{FEFF}<a/>", "<!-- c --><a/><!-- d -->", "<?pi x?><a/>",
            "<!DOCTYPE a><a/>", "<!DOCTYPE a SYSTEM \"a>b.dtd\"><a/>", "<a x='1' y=\"2\"/>", "<a x='&lt;&#60;&#x3C;'/>",
            "<a>&amp;&lt;&gt;&quot;&apos;&#233;&#x1F600;</a>", "<a><![CDATA[<not markup> & ]]></a>", "<p:a xmlns:p='u'><p:b/></p:a>",
            "<a>\n\t<b/>\r\n</a>", "<a x='\n'/>", "<a.b-c_d/>", "  <a/>  ",
            // Not well-formed.
            "", "text", "<a>", "<a></b>", "<a><b></a></b>", "<a/><b/>", "<a/>text", "text<a/>", "<a x=1/>", "<a x='1' x='2'/>",
            "<a x='<'/>", "<a x='1'y='2'/>", "<a>&unknown;</a>", "<a>&#0;</a>", "<a>& </a>", "<a>&amp</a>", "<a>]]></a>",
            "<a><!-- -- --></a>", "<a><!-- x</a>", "<a><![CDATA[x</a>", "<a><?xml version='1.0'?></a>", "<a/><?xml version='1.0'?>",
            "<1a/>", "<a x></a>", "<a \u{01}/>", "<a>\u{01}</a>", "</a>", "<a><!DOCTYPE b></a>", "<!DOCTYPE a><!DOCTYPE a><a/>",
            "<a x='1' / >", "<a>&#xZZ;</a>",
        ]
        let script = """
            import json, sys, xml.parsers.expat
            out = []
            for doc in json.load(sys.stdin):
                parser = xml.parsers.expat.ParserCreate()
                try:
                    parser.Parse(doc.encode("utf-8"), True)
                    out.append(True)
                except xml.parsers.expat.ExpatError:
                    out.append(False)
            json.dump(out, sys.stdout)
            """
        let input = String(decoding: try JSONSerialization.data(withJSONObject: documents), as: UTF8.self)
        let python = try #require(Subprocess.which("python3"))
        let result = try Subprocess.run(python, ["-c", script], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let expat = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Bool])
        #expect(expat.count == documents.count)
        #expect(expat.filter { $0 }.count >= 17, "the well-formed half is well-formed")
        for (document, expected) in zip(documents, expat) {
            let read = (try? XMLTree(document)) != nil
            #expect(read == expected, "\(document.debugDescription): the reader says \(read ? "well-formed" : "not well-formed"), expat \(expected ? "well-formed" : "not well-formed")")
        }
    }

    /// A doctype with an internal subset is refused although expat reads it: cutover never writes one,
    /// Jenkins never stores one, and its entities could change what the document means.
    @Test func anInternalSubsetIsRefused() {
        #expect((try? XMLTree("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>")) == nil)
    }
}
