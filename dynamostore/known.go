package dynamostore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	formgate "github.com/formgate/formgate"
)

// A known address is one item, known#SHA256(USER, ADDR), whose ttl is
// when it is forgotten: the gate reads it only while the user's login
// budget is spent, and writes it at most once a day per container.

var _ formgate.KnownAddresses = (*Store)(nil)

func knownKey(user, addr string) map[string]types.AttributeValue {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s", user, addr)
	return map[string]types.AttributeValue{"pk": str("known#" + base64.RawURLEncoding.EncodeToString(h.Sum(nil)))}
}

// Known implements formgate.KnownAddresses: one GetItem (an eventually
// consistent read: half a read unit).
func (s *Store) Known(ctx context.Context, user, addr string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: knownKey(user, addr)})
	if err != nil {
		return false, fmt.Errorf("dynamostore: read known address: %w", err)
	}
	until, ok := unix(out.Item["ttl"])
	return ok && time.Now().Unix() < until, nil
}

// Remember implements formgate.KnownAddresses: one PutItem.
func (s *Store) Remember(ctx context.Context, user, addr string, until time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	item := knownKey(user, addr)
	item["ttl"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Unix(), 10)}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fmt.Errorf("dynamostore: remember known address: %w", err)
	}
	return nil
}
