package s3report_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/formgate/formgate/handlers/report"
	"github.com/formgate/formgate/internal/testkit/s3rvertest"
	"github.com/formgate/formgate/s3report"
)

func load(t *testing.T, o *s3report.Object, have string) ([]byte, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return o.Load(ctx, have)
}

// Against a real S3 API (s3rver): the object is read with its ETag; asked
// again with that ETag, S3 answers 304 and Load ErrUnchanged; a new
// export is read again; with the server down, or hanging past the
// context's deadline, Load fails, and works again once it is back.
func TestObject(t *testing.T) {
	srv := s3rvertest.Start(t)
	v1, v2 := []byte("Region,Orders\nNorth,1\n"), []byte("Region,Orders\nNorth,1\nSouth,2\n")
	srv.Put("daily/sales.csv", v1)
	o, err := s3report.FromEnv(srv.Getenv, srv.Object("daily/sales.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if o.String() != "s3://reports/daily/sales.csv" {
		t.Errorf("String() = %q", o)
	}

	data, e1, err := load(t, o, "")
	if err != nil || !bytes.Equal(data, v1) || e1 == "" {
		t.Fatalf("first load: %q %q %v", data, e1, err)
	}
	if data, _, err := load(t, o, e1); !errors.Is(err, report.ErrUnchanged) {
		t.Fatalf("unchanged: %q %v, want ErrUnchanged", data, err)
	}
	srv.Put("daily/sales.csv", v2)
	data, e2, err := load(t, o, e1)
	if err != nil || !bytes.Equal(data, v2) || e2 == e1 || e2 == "" {
		t.Fatalf("after a new export: %q %q %v", data, e2, err)
	}

	srv.Stop()
	if _, _, err := load(t, o, e2); err == nil || !strings.Contains(err.Error(), "cannot reach S3") || strings.Contains(err.Error(), "http://") {
		t.Fatalf("server down: %v", err)
	}
	srv.Restart()
	if _, _, err := load(t, o, e2); !errors.Is(err, report.ErrUnchanged) {
		t.Fatalf("server back: %v, want ErrUnchanged", err)
	}
	srv.Freeze()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	_, _, err = o.Load(ctx, e2)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "S3 did not answer in time") {
		t.Fatalf("server hanging: %v", err)
	}
	srv.Thaw()
	if data, _, err := load(t, o, ""); err != nil || !bytes.Equal(data, v2) {
		t.Fatalf("server back, read whole: %q %v", data, err)
	}
}

// Each way a load fails names what to check, from S3's real answers.
func TestObjectErrors(t *testing.T) {
	srv := s3rvertest.Start(t)
	srv.Put("report.csv", []byte("a,b\n1,2\n"))
	srv.Put("gone.csv", []byte("a,b\n1,2\n"))
	srv.Delete("gone.csv")
	with := func(k, v string) func(string) string {
		return func(name string) string {
			if name == k {
				return v
			}
			return srv.Getenv(name)
		}
	}
	for _, c := range []struct {
		name   string
		getenv func(string) string
		url    string
		max    int64
		want   string
	}{
		{"no such object", srv.Getenv, srv.Object("missing.csv"), 0, "no such object (NoSuchKey): check the key"},
		{"deleted", srv.Getenv, srv.Object("gone.csv"), 0, "no such object (NoSuchKey)"},
		{"key in another case", srv.Getenv, srv.Object("Report.csv"), 0, "no such object (NoSuchKey)"},
		{"no such bucket", srv.Getenv, "s3://other-bucket/report.csv", 0, "no such bucket (NoSuchBucket): check the bucket name"},
		{"credentials refused", with("AWS_ACCESS_KEY_ID", "AKIDNOTKNOWN"), srv.Object("report.csv"), 0, "S3 refused the credentials (InvalidAccessKeyId): check AWS_ACCESS_KEY_ID"},
		{"too large", srv.Getenv, srv.Object("report.csv"), 4, "the object is 8 bytes, over the 4 bytes a report may be"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := s3report.FromEnv(c.getenv, c.url)
			if err != nil {
				t.Fatal(err)
			}
			o.MaxBytes = c.max
			data, _, err := load(t, o, "")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%q, %v; want %q", data, err, c.want)
			}
			for _, secret := range []string{"S3RVER", "Signature=", "http://"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("%q in %v", secret, err)
				}
			}
		})
	}
}

func TestFromEnvErrors(t *testing.T) {
	lambda := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key"}
	for _, c := range []struct {
		name, url, unset, want string
	}{
		{"no key", "s3://reports", "", "no key"},
		{"no region", "s3://reports/x.csv", "AWS_REGION", "AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set"},
		{"no credentials", "s3://reports/x.csv", "AWS_ACCESS_KEY_ID", "must be set (Lambda sets them)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s3report.FromEnv(func(k string) string {
				if k == c.unset {
					return ""
				}
				return lambda[k]
			}, c.url)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}
