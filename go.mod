module github.com/formgate/formgate

go 1.26.8

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/gorilla/schema v1.4.1
	github.com/gorilla/securecookie v1.1.2
)
