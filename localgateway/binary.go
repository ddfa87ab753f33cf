package localgateway

import "strings"

// binaryMatch reports whether header, a request's Content-Type or Accept,
// names one of a REST API's binaryMediaTypes. It models the rule API
// Gateway applies to Lambda proxy integrations:
//
//   - Only the first media type of the header counts, parameters (q=…)
//     aside: "When a request contains multiple media types in its Accept
//     header, API Gateway honors only the first Accept media type"
//     (Developer Guide, "Content type conversions in API Gateway",
//     api-gateway-payload-encodings-workflow.html). A browser's
//     "text/html,…,*/*;q=0.8" therefore matches "text/html" only.
//   - A binary media type may end in a wildcard: "image/*" takes every
//     image type, and "*/*" "includes all content types" (Developer Guide,
//     "Binary media types for REST APIs", api-gateway-payload-encodings.html),
//     a missing header too — which is why AWS tells browser-facing APIs to
//     set it. A wildcard in the request's header is not expanded: "Accept:
//     */*" does not match "image/png" (reported by users of API Gateway,
//     serverless-apigw-binary#33).
//   - For the response, the Content-Type the function answers with plays
//     no part, only the request's Accept (AWS: "API Gateway uses the first
//     Accept header from clients to determine if a response should return
//     binary media"; LocalStack checked it against AWS, localstack#12199).
func binaryMatch(types []string, header string) bool {
	first, _, _ := strings.Cut(header, ",")
	mt, _, _ := strings.Cut(first, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	for _, t := range types {
		t = strings.ToLower(strings.TrimSpace(t))
		base, wild := strings.CutSuffix(t, "*")
		switch {
		case t == "*/*":
			return true
		case mt == "":
			// No header: nothing but */* matches.
		case wild && strings.HasSuffix(base, "/") && strings.HasPrefix(mt, base):
			return true
		case t == mt:
			return true
		}
	}
	return false
}
