package deploy

import (
	"slices"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// checkRESTAPIs checks that tmpl has n REST APIs, each with binaryMediaTypes
// */*: the report answers gzip, which travels base64, and a REST API
// turns it back into bytes only for a request whose first Accept type is
// a binary media type (browsers send text/html first).
func checkRESTAPIs(t *testing.T, tmpl *cloudformation.Template, n int) {
	t.Helper()
	apis := tmpl.GetAllApiGatewayRestApiResources()
	if len(apis) != n {
		t.Errorf("%d REST APIs, want %d", len(apis), n)
	}
	for name, api := range apis {
		if !slices.Equal(api.BinaryMediaTypes, []string{"*/*"}) {
			t.Errorf("%s: binaryMediaTypes %q, want [*/*]", name, api.BinaryMediaTypes)
		}
	}
}
