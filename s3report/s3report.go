// Package s3report reads formgate's report CSV from one S3 object
// (REPORT_CSV=s3://bucket/key), so that a new export shows up without a
// redeploy: Object is a report.Source whose version is the object's ETag,
// so the report's refresh asks S3 with If-None-Match and downloads the
// object only when it changed.
//
// It is a package of its own, like dynamostore, so that the AWS SDK is in
// a program only when it imports this package; formgate's own binaries
// import it only when built with -tags s3 (report-shared.zip).
package s3report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/formgate/formgate/handlers/report"
	"github.com/formgate/formgate/internal/awsenv"
)

// DefaultMaxBytes is the largest object Load takes unless Object.MaxBytes
// says otherwise. The report holds the CSV, its row index and the gzip'd
// answers in memory, under 3× the CSV's size in all: 64 MiB of CSV fits
// the default 512 MB function with room to spare, and a refresh holds a
// second copy while it parses.
const DefaultMaxBytes = 64 << 20

// DefaultTimeout bounds a Load whose context has no deadline (the load at
// start): well inside Lambda's 10 s init, so that a bucket that does not
// answer fails the start with this package's error, not Lambda's timeout.
const DefaultTimeout = 8 * time.Second

// API is the part of the S3 client an Object uses.
type API interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Object is one S3 object as a report.Source.
type Object struct {
	client      API
	bucket, key string
	// MaxBytes is the largest object Load takes; 0 means DefaultMaxBytes.
	MaxBytes int64
}

var _ report.Source = (*Object)(nil)

// New returns the object key in bucket, read through client.
func New(client API, bucket, key string) *Object {
	return &Object{client: client, bucket: bucket, key: key}
}

// FromEnv returns the object an s3://bucket/key URL names, read with a
// client made from the environment (NewClient). It makes no request.
func FromEnv(getenv func(string) string, rawURL string) (*Object, error) {
	bucket, key, err := Parse(rawURL)
	if err != nil {
		return nil, err
	}
	client, err := NewClient(getenv)
	if err != nil {
		return nil, err
	}
	return New(client, bucket, key), nil
}

// NewClient is an S3 client as the environment says (package awsenv:
// AWS_REGION, the credentials Lambda sets, AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL). With an endpoint set it addresses buckets by path
// (http://host/bucket/key), since a local S3 server answers at one host
// name, not at bucket.host.
func NewClient(getenv func(string) string) (*s3.Client, error) {
	cfg, err := awsenv.Config(getenv, "S3")
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil }), nil
}

// Parse splits an s3://bucket/key URL. The key is taken as written, not
// percent-decoded, as the AWS CLI takes it.
func Parse(rawURL string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(rawURL, "s3://")
	if !ok {
		return "", "", errors.New("not an S3 URL: write it as s3://BUCKET/KEY")
	}
	bucket, key, _ = strings.Cut(rest, "/")
	switch {
	case bucket == "":
		return "", "", errors.New("no bucket: write it as s3://BUCKET/KEY")
	case !isBucketName(bucket):
		return "", "", fmt.Errorf("%q is not a bucket name (3 to 255 letters, digits, dots, hyphens and underscores): write it as s3://BUCKET/KEY", bucket)
	case key == "":
		return "", "", errors.New("no key: write it as s3://BUCKET/KEY, with the object's key after the bucket")
	case strings.HasSuffix(key, "/"):
		return "", "", fmt.Errorf("key %q names a folder, not an object: give the CSV's whole key", key)
	case len(key) > 1024 || !utf8.ValidString(key):
		return "", "", errors.New("the key is not an S3 key (UTF-8, at most 1,024 bytes)")
	}
	return bucket, key, nil
}

// isBucketName is lenient: today's rules (3 to 63 lower-case letters,
// digits, dots and hyphens) and the old us-east-1 names (up to 255, with
// capitals and underscores) both pass; what could never be a bucket, or
// would change the request's path, does not.
func isBucketName(b string) bool {
	if len(b) < 3 || len(b) > 255 {
		return false
	}
	for _, c := range []byte(b) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// String implements report.Source: the s3:// URL, which holds no secret.
func (o *Object) String() string { return "s3://" + o.bucket + "/" + o.key }

// Load implements report.Source: a GetObject with If-None-Match: have, so
// that an unchanged object costs a request and no download (S3 answers
// 304, which is ErrUnchanged); the version is the object's ETag.
func (o *Object) Load(ctx context.Context, have string) ([]byte, string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	in := &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(o.key)}
	if have != "" {
		in.IfNoneMatch = aws.String(have)
	}
	out, err := o.client.GetObject(ctx, in)
	if err != nil {
		if httpStatus(err) == http.StatusNotModified {
			return nil, "", report.ErrUnchanged
		}
		return nil, "", explain(ctx, err)
	}
	defer out.Body.Close()
	limit := o.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	size := aws.ToInt64(out.ContentLength)
	if size > limit {
		return nil, "", tooLarge(size, limit)
	}
	// Read into one buffer of the announced size: no doubling copies of a
	// big CSV. The reader stops one byte past the limit whatever S3 said.
	buf := bytes.NewBuffer(make([]byte, 0, max(size, 0)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(out.Body, limit+1)); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// S3 answered: the body was slow, not the network closed.
			return nil, "", fmt.Errorf("reading the object: S3 answered but the object did not arrive in time (%w)", ctx.Err())
		}
		return nil, "", fmt.Errorf("reading the object: %w", explain(ctx, err))
	}
	if int64(buf.Len()) > limit {
		return nil, "", tooLarge(-1, limit)
	}
	return buf.Bytes(), aws.ToString(out.ETag), nil
}

// tooLarge says an object is over limit; size < 0 when S3 did not say
// how large it is.
func tooLarge(size, limit int64) error {
	what := "the object is"
	if size >= 0 {
		what = fmt.Sprintf("the object is %d bytes,", size)
	}
	most := fmt.Sprintf("%d bytes", limit)
	if limit%(1<<20) == 0 {
		most = fmt.Sprintf("%d MiB", limit>>20)
	}
	return fmt.Errorf("%s over the %s a report may be: export fewer rows or columns", what, most)
}

// httpStatus is the status of S3's answer in err, 0 if none came.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// explain says what went wrong and what to check, from S3's error code.
// It never passes on a request's URL or headers: only the code, S3's
// message and, for a network error, the network's.
func explain(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("S3 did not answer in time (%w): a function in a VPC reaches S3 only through a gateway endpoint or a NAT", ctx.Err())
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		switch code {
		case "NoSuchKey", "NotFound":
			return fmt.Errorf("no such object (%s): check the key, which is case-sensitive", code)
		case "NoSuchBucket":
			return fmt.Errorf("no such bucket (%s): check the bucket name", code)
		case "AccessDenied", "Forbidden":
			return fmt.Errorf("access denied (%s: %s): the function's role needs s3:GetObject on this object (the deploy parameter reportS3 grants it), and kms:Decrypt if the bucket encrypts with a KMS key; without s3:ListBucket S3 says this for a missing object too", code, api.ErrorMessage())
		case "PermanentRedirect", "AuthorizationHeaderMalformed":
			return fmt.Errorf("the bucket is in another region than AWS_REGION (%s)", code)
		case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken":
			return fmt.Errorf("S3 refused the credentials (%s): check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN", code)
		}
		return fmt.Errorf("S3 answered %d %s: %s", httpStatus(err), code, api.ErrorMessage())
	}
	if status := httpStatus(err); status != 0 {
		return fmt.Errorf("S3 answered %d %s", status, http.StatusText(status))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("cannot reach S3 (%w): check the network, and AWS_ENDPOINT_URL_S3 when set", ue.Err) // without ue.URL: no request URL in an error, where a presigned one would carry its signature
	}
	return err
}
