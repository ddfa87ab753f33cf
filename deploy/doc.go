// Package deploy holds no code: its tests deploy formgate offline as far
// as that goes. They package every serverless.yml (the root's and each
// under examples/) with both Serverless Frameworks package.json pins,
// serverless@3 and osls, translate deploy/sam/template.yaml with
// aws-sam-translator as `sam deploy` has it done, and check what comes
// out: the CloudFormation (routes, runtime, architecture, secrets only as
// dynamic references, IAM least privilege, conditions evaluated as
// CloudFormation would), cfn-lint's findings on every template, the
// Lambda zips make build writes, and the deploy commands the README and
// docs/deploy.md give. The unit lane (go test -short) runs only the
// tests that need none of these tools.
package deploy
