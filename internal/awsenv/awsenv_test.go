package awsenv

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestConfig(t *testing.T) {
	lambda := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "do-not-show", "AWS_SESSION_TOKEN": "tok"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range lambda {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, c := range []struct {
		name             string
		env              map[string]string
		region, endpoint string
		err              string
	}{
		{"as Lambda sets it", lambda, "eu-west-1", "", ""},
		{"default region", with("AWS_REGION", "", "AWS_DEFAULT_REGION", "us-east-2"), "us-east-2", "", ""},
		{"service endpoint", with("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4568"), "eu-west-1", "http://127.0.0.1:4568", ""},
		{"global endpoint", with("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"), "eu-west-1", "http://127.0.0.1:9000", ""},
		{"service endpoint first", with("AWS_ENDPOINT_URL", "http://g", "AWS_ENDPOINT_URL_S3", "http://s"), "eu-west-1", "http://s", ""},
		{"another service's endpoint", with("AWS_ENDPOINT_URL_DYNAMODB", "http://d"), "eu-west-1", "", ""},
		{"no region", with("AWS_REGION", ""), "", "", "AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set"},
		{"no key", with("AWS_SECRET_ACCESS_KEY", ""), "", "", "must be set (Lambda sets them)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Config(func(k string) string { return c.env[k] }, "S3")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "do-not-show") {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != c.region || aws.ToString(cfg.BaseEndpoint) != c.endpoint {
				t.Errorf("region %q endpoint %q, want %q %q", cfg.Region, aws.ToString(cfg.BaseEndpoint), c.region, c.endpoint)
			}
			creds, err := cfg.Credentials.Retrieve(context.Background())
			if err != nil || creds.AccessKeyID != "AKIDEXAMPLE" || creds.SecretAccessKey != "do-not-show" || creds.SessionToken != "tok" {
				t.Errorf("credentials %+v, %v", creds, err)
			}
		})
	}
}
