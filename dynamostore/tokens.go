package dynamostore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	formgate "github.com/formgate/formgate"
)

// A token for scripts is one item, tok#ID, with its user, name, hash (the
// token's SHA-256 in hex: never the token), created, expires, last used
// and, once revoked, when; ttl is a month past the expiry, so that a
// script with an ended token is told "expired" or "revoked" rather than
// "unknown" (which counts as a failed login of its address) for that
// long. A request by a token reads that one item (GetItem, strongly
// consistent: 1 read unit). A user's tokens are listed on tokens#SHA256(USER),
// one attribute per token ("t_" + its id, the expiry) as share links are,
// with the same cap on live ones; listing reads it and the tokens' items
// (one BatchGetItem).

// Tokens is a formgate.TokenWriter on the table (Store.Tokens).
type Tokens struct{ s *Store }

var _ formgate.TokenWriter = (*Tokens)(nil)

// Tokens returns the store's tokens for scripts.
func (s *Store) Tokens() *Tokens { return &Tokens{s: s} }

const tokenAttr = "t_"

// tokenLinger is how long an ended token's item is kept (its ttl past
// the expiry).
const tokenLinger = 30 * 24 * time.Hour

func tokenKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str("tok#" + id)}
}

// tokenListKey is a user's list of tokens, the name hashed as userKey
// does.
func tokenListKey(user string) map[string]types.AttributeValue {
	sum := sha256.Sum256([]byte(user))
	return map[string]types.AttributeValue{"pk": str("tokens#" + base64.RawURLEncoding.EncodeToString(sum[:]))}
}

func tokenList(user string) cappedList {
	return cappedList{key: tokenListKey(user), attr: tokenAttr, linger: tokenLinger, full: formgate.ErrTooManyTokens, what: "add token"}
}

// Add implements formgate.TokenWriter: the token's item, written only if
// no token has its id, then the token on its user's list (within max, as
// share links are added). Should the list refuse it, the item is marked
// revoked: the gate hands out no token whose Add failed, so an item left
// behind opens nothing, and goes with its ttl.
func (tk *Tokens) Add(ctx context.Context, t formgate.Token, max int) error {
	s := tk.s
	item := map[string]types.AttributeValue{
		"pk": str("tok#" + t.ID), "user": str(t.User), "name": str(t.Name), "h": str(hex.EncodeToString(t.Hash[:])),
		"c": num(t.Created.Unix()), "e": num(t.Expires.Unix()), "ttl": num(t.Expires.Add(tokenLinger).Unix()),
	}
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := s.db.PutItem(callCtx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil {
		return fmt.Errorf("dynamostore: add token: %w", err)
	}
	if err := s.addCapped(ctx, tokenList(t.User), t.ID, t.Expires, max); err != nil {
		tk.Revoke(ctx, t.User, t.ID, time.Now())
		return err
	}
	return nil
}

// Find implements formgate.Tokens: one GetItem, strongly consistent, so a
// token revoked in one container is refused by the next request in any
// other.
func (tk *Tokens) Find(ctx context.Context, id string) (formgate.Token, bool, error) {
	s := tk.s
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: tokenKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return formgate.Token{}, false, fmt.Errorf("dynamostore: read token: %w", err)
	}
	if out.Item == nil {
		return formgate.Token{}, false, nil
	}
	t, err := tokenOf(id, out.Item)
	if err != nil {
		return formgate.Token{}, false, err
	}
	return t, true, nil
}

// tokenOf reads a token's item.
func tokenOf(id string, item map[string]types.AttributeValue) (formgate.Token, error) {
	t := formgate.Token{ID: id}
	user, _ := item["user"].(*types.AttributeValueMemberS)
	name, _ := item["name"].(*types.AttributeValueMemberS)
	h, _ := item["h"].(*types.AttributeValueMemberS)
	exp, okExp := unix(item["e"])
	var hash []byte
	if h != nil {
		hash, _ = hex.DecodeString(h.Value)
	}
	if user == nil || name == nil || !okExp || len(hash) != len(t.Hash) {
		// Never let in by an item that is not whole.
		return formgate.Token{}, fmt.Errorf("dynamostore: read token %s: the item is not a whole token", id)
	}
	t.User, t.Name, t.Expires = user.Value, name.Value, time.Unix(exp, 0)
	copy(t.Hash[:], hash)
	for attr, into := range map[string]*time.Time{"c": &t.Created, "u": &t.LastUsed, "r": &t.Revoked} {
		if v, ok := unix(item[attr]); ok {
			*into = time.Unix(v, 0)
		}
	}
	return t, nil
}

// List implements formgate.Tokens: a GetItem of the user's list, then
// one BatchGetItem of its live tokens (at most the cap's, well under a
// batch's 100). Expired entries are removed in passing, as share links'.
func (tk *Tokens) List(ctx context.Context, user string) ([]formgate.Token, error) {
	s := tk.s
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	live, err := s.liveEntries(ctx, tokenListKey(user), tokenAttr, "list tokens")
	if err != nil {
		return nil, err
	}
	var keys []map[string]types.AttributeValue
	for id := range live {
		if len(keys) == 100 { // a batch's most; the cap keeps a list well under it
			break
		}
		keys = append(keys, tokenKey(id))
	}
	if len(keys) == 0 {
		return nil, nil
	}
	var list []formgate.Token
	req := map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	for try := 0; len(req) > 0; try++ {
		if try == 3 {
			return nil, errors.New("dynamostore: list tokens: throttled")
		}
		got, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, fmt.Errorf("dynamostore: list tokens: %w", err)
		}
		for _, item := range got.Responses[s.table] {
			pk, _ := item["pk"].(*types.AttributeValueMemberS)
			if pk == nil {
				continue
			}
			t, err := tokenOf(strings.TrimPrefix(pk.Value, "tok#"), item)
			if err == nil && t.User == user && t.Revoked.IsZero() && time.Now().Before(t.Expires) {
				list = append(list, t)
			}
		}
		req = got.UnprocessedKeys
	}
	return list, nil
}

// Used implements formgate.Tokens: one UpdateItem, on an item that
// exists (never making one) and was not marked used within the hour
// (another container may just have).
func (tk *Tokens) Used(ctx context.Context, id string, at time.Time) error {
	s := tk.s
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: tokenKey(id),
		UpdateExpression:          aws.String("SET u = :at"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND (attribute_not_exists(u) OR u < :hour)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": num(at.Unix()), ":hour": num(at.Add(-time.Hour).Unix())},
	})
	if _, skip := errors.AsType[*types.ConditionalCheckFailedException](err); skip {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dynamostore: record token use: %w", err)
	}
	return nil
}

// Revoke implements formgate.TokenWriter: one UpdateItem that marks the
// token revoked, on the condition that it is user's and not revoked yet
// (anything else is left alone), then one that takes it off the list.
func (tk *Tokens) Revoke(ctx context.Context, user, id string, at time.Time) error {
	s := tk.s
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := s.db.UpdateItem(callCtx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: tokenKey(id),
		UpdateExpression:          aws.String("SET r = :at"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND #user = :user AND attribute_not_exists(r)"),
		ExpressionAttributeNames:  map[string]string{"#user": "user"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": num(at.Unix()), ":user": str(user)},
	})
	if _, notTheirs := errors.AsType[*types.ConditionalCheckFailedException](err); notTheirs {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dynamostore: revoke token: %w", err)
	}
	return tk.unlist(ctx, user, id)
}

// unlist takes id off user's list of tokens, only on an item that exists.
func (tk *Tokens) unlist(ctx context.Context, user, id string) error {
	return tk.s.removeFrom(ctx, tokenListKey(user), tokenAttr+id, "revoke token")
}
