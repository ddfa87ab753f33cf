// Package authorizer is an API Gateway REST API custom authorizer (TOKEN
// type) that checks Basic credentials with the same code as the gate. It
// serves the native-prompt variant: API Gateway's own UNAUTHORIZED gateway
// response carries WWW-Authenticate, which is not remapped, so browsers
// show their prompt.
package authorizer

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/internal/basic"
)

// ErrUnauthorized must be returned with exactly this text: API Gateway
// then answers 401 through the UNAUTHORIZED gateway response (which
// carries the challenge). A Deny policy would give 403, and browsers do
// not prompt on 403.
var ErrUnauthorized = errors.New("Unauthorized")

// Authorizer checks the Authorization header API Gateway hands it.
type Authorizer struct {
	Checker formgate.Checker
	// Logger gets a line per refusal, never a credential; slog.Default()
	// if nil.
	Logger *slog.Logger
}

func (a *Authorizer) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// Handle answers one authorizer request.
func (a *Authorizer) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	user, pass, ok := basic.Parse(req.AuthorizationToken)
	if !ok {
		a.logger().Info("authorizer: no Basic credentials", "method_arn", req.MethodArn)
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	u, ok, err := a.Checker.Check(ctx, user, pass)
	if err != nil {
		// Not "Unauthorized": API Gateway answers 500, and nobody is let in
		// or told their password was wrong.
		a.logger().Error("authorizer: credential check failed", "err", err)
		return events.APIGatewayCustomAuthorizerResponse{}, errors.New("credential check failed")
	}
	if !ok {
		a.logger().Info("authorizer: login failed", "method_arn", req.MethodArn)
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: u.Name,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action: []string{"execute-api:Invoke"},
				Effect: "Allow",
				// API Gateway caches this answer by the Authorization value and
				// reuses it for every route of the API, so it must allow them
				// all, not just the method that asked first.
				Resource: []string{stageWildcard(req.MethodArn)},
			}},
		},
	}, nil
}

// stageWildcard turns
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH into
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/*.
func stageWildcard(methodArn string) string {
	parts := strings.SplitN(methodArn, "/", 3)
	if len(parts) < 2 {
		return methodArn
	}
	return parts[0] + "/" + parts[1] + "/*"
}
