// Package deploy holds no code: its tests package formgate's Serverless
// configurations offline (serverless@3 `package`, pinned in package.json)
// and check the CloudFormation templates they produce, and the Lambda zip
// they point at, with goformation.
package deploy
