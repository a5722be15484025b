import CutoverCore
import CutoverAWS
import Foundation
import Testing

/// The Query protocol's wire pieces: the XML reader, form encoding, and actions kept field for field.
@Suite struct WireFormatTests {
    @Test func xmlReaderDecodesEntitiesCDATAAndNamespaces() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- a comment -->
        <r:Root xmlns:r="urn:x" a="1 > 0"><Name>a &amp; b &lt;c&gt; &#233;&#x65E5;</Name><Empty/><Data><![CDATA[<not> & markup]]></Data>
          <List><member>1</member><member>2</member></List></r:Root>
        """
        let root = try XMLNode.parse(Array(xml.utf8))
        #expect(root.name == "Root")
        #expect(root.string("Name") == "a & b <c> é日")
        #expect(root.string("Empty") == "")
        #expect(root.string("Data") == "<not> & markup")
        #expect(root["List"]?.all("member").map(\.text) == ["1", "2"])
        #expect(throws: XMLParseError.self) { try XMLNode.parse(Array("<a><b></a>".utf8)) }
        #expect(throws: XMLParseError.self) { try XMLNode.parse(Array("<a>&bogus;</a>".utf8)) }
        #expect(throws: XMLParseError.self) { try XMLNode.parse(Array("<a>".utf8)) }
    }

    @Test func formEncodingKeepsOnlyUnreservedBytes() {
        var parameters = QueryParameters()
        parameters.add("Name", "a b+c/d=é~")
        parameters.addList("Names", ["x", "y"])
        parameters.addList("Filter.1.Value", ["v"], item: nil)
        #expect(parameters.encoded() == "Name=a%20b%2Bc%2Fd%3D%C3%A9~&Names.member.1=x&Names.member.2=y&Filter.1.Value.1=v")
    }

    static let listenerXML = """
    <DescribeListenersResponse><DescribeListenersResult><Listeners><member><ListenerArn>L</ListenerArn><DefaultActions>
    <member><Type>authenticate-oidc</Type><Order>1</Order><AuthenticateOidcConfig><Issuer>https://idp</Issuer></AuthenticateOidcConfig></member>
    <member><Type>forward</Type><Order>2</Order><TargetGroupArn>blue</TargetGroupArn><ForwardConfig><TargetGroups><member><TargetGroupArn>blue</TargetGroupArn><Weight>1</Weight></member></TargetGroups>
    <TargetGroupStickinessConfig><Enabled>true</Enabled><DurationSeconds>600</DurationSeconds></TargetGroupStickinessConfig></ForwardConfig></member>
    </DefaultActions></member></Listeners></DescribeListenersResult></DescribeListenersResponse>
    """

    @Test func actionsRoundTripFieldForFieldAndOnlyTheSplitChanges() throws {
        let root = try XMLNode.parse(Array(Self.listenerXML.utf8))
        let member = try #require(root.path("DescribeListenersResult", "Listeners", "member", "DefaultActions"))
        let actions = member.all("member").map(ListenerAction.init(xml:))
        #expect(actions.count == 2)
        #expect(actions[1].forwardGroups == [WeightedTargetGroup(arn: "blue", weight: 1)])
        let parameters = actions[0].parameters(listName: "DefaultActions", index: 1)
        #expect(parameters.pairs.map { "\($0.key)=\($0.value)" } == [
            "DefaultActions.member.1.Type=authenticate-oidc", "DefaultActions.member.1.Order=1",
            "DefaultActions.member.1.AuthenticateOidcConfig.Issuer=https://idp",
            "DefaultActions.member.1.AuthenticateOidcConfig.UseExistingClientSecret=true",
        ], "the secret Describe never returns is kept, not required")
        let moved = actions[1].withForwardGroups([.init(arn: "blue", weight: 90), .init(arn: "green", weight: 10)])
        #expect(moved.fields.map { "\($0.key)=\($0.value)" } == [
            "Type=forward", "Order=2",
            "ForwardConfig.TargetGroups.member.1.TargetGroupArn=blue", "ForwardConfig.TargetGroups.member.1.Weight=90",
            "ForwardConfig.TargetGroups.member.2.TargetGroupArn=green", "ForwardConfig.TargetGroups.member.2.Weight=10",
            "ForwardConfig.TargetGroupStickinessConfig.Enabled=true", "ForwardConfig.TargetGroupStickinessConfig.DurationSeconds=600",
        ], "the top-level TargetGroupArn goes (ELBv2 refuses it beside a two-group split); stickiness and order stay")
        #expect(moved.forwardGroups.map(\.weight) == [90, 10])
    }

    @Test func errorBodiesOfBothProtocolsAreRead() throws {
        let query = AWSError(service: "ELBv2", action: "ModifyListener",
                             reason: .service(status: 400, code: "ValidationError", message: "bad weight", requestID: "req-1"))
        #expect(query.description == "ELBv2 ModifyListener failed: ValidationError: bad weight (HTTP 400, request id req-1)")
        let denied = AWSError(service: "ECS", action: "CreateService",
                              reason: .service(status: 400, code: "AccessDeniedException", message: "no", requestID: nil))
        #expect(denied.description.contains("hint: the credentials lack a permission"))
    }
}
