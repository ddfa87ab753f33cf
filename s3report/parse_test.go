package s3report

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestParse(t *testing.T) {
	for _, c := range []struct{ in, bucket, key, err string }{
		{"s3://reports/daily/sales.csv", "reports", "daily/sales.csv", ""},
		{"s3://my.bucket-1/a b?#%20.csv", "my.bucket-1", "a b?#%20.csv", ""}, // the key as written, as the AWS CLI takes it
		{"s3://Old_Bucket/x.csv", "Old_Bucket", "x.csv", ""},                 // an old us-east-1 name
		{"https://reports.s3.amazonaws.com/x.csv", "", "", "not an S3 URL"},
		{"s3://", "", "", "no bucket"},
		{"s3:///x.csv", "", "", "no bucket"},
		{"s3://ab/x.csv", "", "", `"ab" is not a bucket name`},
		{"s3://my bucket/x.csv", "", "", `"my bucket" is not a bucket name`},
		{"s3://reports", "", "", "no key"},
		{"s3://reports/", "", "", "no key"},
		{"s3://reports/daily/", "", "", `key "daily/" names a folder`},
		{"s3://reports/" + strings.Repeat("k", 1025), "", "", "not an S3 key"},
		{"s3://reports/\xff.csv", "", "", "not an S3 key"},
	} {
		t.Run(fmt.Sprintf("%.40s", c.in), func(t *testing.T) {
			bucket, key, err := Parse(c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || bucket != c.bucket || key != c.key {
				t.Fatalf("= %q %q %v, want %q %q", bucket, key, err, c.bucket, c.key)
			}
		})
	}
}

// S3's answers s3rver cannot give, as the SDK hands them over: each names
// what to check, and none passes on a request URL.
func TestExplain(t *testing.T) {
	answer := func(status int, code string) error {
		return &smithy.OperationError{ServiceID: "S3", OperationName: "GetObject", Err: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: "S3's own words"},
		}}
	}
	signed := "https://reports.s3.eu-west-1.amazonaws.com/x.csv?X-Amz-Signature=deadbeef"
	deadline, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"access denied", context.Background(), answer(403, "AccessDenied"), "access denied (AccessDenied: S3's own words): the function's role needs s3:GetObject on this object (the deploy parameter reportS3 grants it), and kms:Decrypt"},
		{"wrong region", context.Background(), answer(301, "PermanentRedirect"), "the bucket is in another region than AWS_REGION (PermanentRedirect)"},
		{"expired session", context.Background(), answer(400, "ExpiredToken"), "S3 refused the credentials (ExpiredToken)"},
		{"throttled", context.Background(), answer(503, "SlowDown"), "S3 answered 503 SlowDown: S3's own words"},
		{"status alone", context.Background(), &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}}, Err: errors.New("no body")}, "S3 answered 500 Internal Server Error"},
		{"network", context.Background(), fmt.Errorf("send: %w", &url.Error{Op: "Get", URL: signed, Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route to host")}}), "cannot reach S3 (dial tcp: no route to host): check the network"},
		{"deadline", deadline, &url.Error{Op: "Get", URL: signed, Err: context.DeadlineExceeded}, "S3 did not answer in time (context deadline exceeded): a function in a VPC reaches S3 only through a gateway endpoint or a NAT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := explain(c.ctx, c.err).Error()
			if got != c.want && !strings.HasPrefix(got, c.want) {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if strings.Contains(got, "X-Amz-Signature") || strings.Contains(got, "amazonaws.com") {
				t.Errorf("a request URL in %q", got)
			}
		})
	}
}
