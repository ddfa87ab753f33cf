package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	formgate "github.com/formgate/formgate"
)

// token is a token record for the tests; only its hash matters to the
// store.
func token(id, user string, ttl time.Duration) formgate.Token {
	now := time.Now().Truncate(time.Second)
	t := formgate.Token{ID: id, User: user, Name: "ci " + id, Created: now, Expires: now.Add(ttl)}
	copy(t.Hash[:], strings.Repeat(id, 32))
	return t
}

// A token added in one container is found in the other, whole; revoked
// in one, it is found revoked in the other and leaves the lists; another
// user's revocation leaves it alone; its last use is written at most once
// an hour; and its item is kept a month past its expiry.
func TestTokensShared(t *testing.T) {
	sa, sb, db := twoContainers(t)
	a, b := sa.Tokens(), sb.Tokens()
	ctx := context.Background()
	ci, cron := token("ci", "anna", 30*24*time.Hour), token("cron", "anna", time.Hour)
	for _, tk := range []formgate.Token{ci, cron, token("bob1", "bob", time.Hour)} {
		if err := a.Add(ctx, tk, 20); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Add(ctx, ci, 20); err == nil {
		t.Fatal("a second token with the same id")
	}
	got, ok, err := b.Find(ctx, "ci")
	if err != nil || !ok || got.Hash != ci.Hash || got.User != "anna" || got.Name != "ci ci" || !got.Created.Equal(ci.Created) || !got.Expires.Equal(ci.Expires) || !got.LastUsed.IsZero() || !got.Revoked.IsZero() {
		t.Fatalf("Find in b: %+v %v %v", got, ok, err)
	}
	if _, ok, err := b.Find(ctx, "never"); ok || err != nil {
		t.Fatalf("Find of no token: %v %v", ok, err)
	}
	list, err := b.List(ctx, "anna")
	if err != nil || len(list) != 2 {
		t.Fatalf("anna's list in b: %v %v", list, err)
	}
	// Last use: once an hour, whoever writes.
	now := time.Now()
	for i, at := range []time.Time{now, now.Add(30 * time.Minute), now.Add(61 * time.Minute)} {
		if err := []dynamostoreTokens{a, b}[i%2].Used(ctx, "ci", at); err != nil {
			t.Fatal(err)
		}
	}
	if got, _, _ := a.Find(ctx, "ci"); got.LastUsed.Unix() != now.Add(61*time.Minute).Unix() {
		t.Fatalf("last used %v", got.LastUsed)
	}
	if err := a.Used(ctx, "gone", now); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := a.Find(ctx, "gone"); ok {
		t.Fatal("Used made an item")
	}
	// Revocations.
	if err := b.Revoke(ctx, "bob", "ci", now); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := a.Find(ctx, "ci"); !got.Revoked.IsZero() {
		t.Fatal("bob revoked anna's token")
	}
	if err := b.Revoke(ctx, "anna", "ci", now); err != nil {
		t.Fatal(err)
	}
	if err := b.Revoke(ctx, "anna", "ci", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := a.Find(ctx, "ci"); got.Revoked.Unix() != now.Unix() {
		t.Fatalf("revoked in b, in a: %+v", got)
	}
	if list, err := a.List(ctx, "anna"); err != nil || len(list) != 1 || list[0].ID != "cron" {
		t.Fatalf("anna's list after the revocation: %v %v", list, err)
	}
	out, err := db.Client().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("formgate"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "tok#ci"}}, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item["ttl"].(*types.AttributeValueMemberN).Value != fmt.Sprint(ci.Expires.Add(30*24*time.Hour).Unix()) {
		t.Fatalf("the item's ttl: %v %v", out.Item["ttl"], err)
	}
	for attr := range out.Item {
		if v, ok := out.Item[attr].(*types.AttributeValueMemberS); ok && strings.Contains(v.Value, "fgt_") {
			t.Fatalf("a token in the item: %s", attr)
		}
	}
	// An item that is not whole lets no one in.
	db.Client().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("formgate"), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "tok#half"}, "user": &types.AttributeValueMemberS{Value: "anna"}}})
	if _, ok, err := a.Find(ctx, "half"); ok || err == nil {
		t.Fatalf("a half item: %v %v", ok, err)
	}
	db.Stop()
	if _, _, err := a.Find(ctx, "cron"); err == nil {
		t.Fatal("Find with the store down: no error")
	}
}

type dynamostoreTokens = interface {
	Used(context.Context, string, time.Time) error
}

// The cap on live tokens holds for makers at once in two containers.
func TestTokensCapAtOnce(t *testing.T) {
	sa, sb, _ := twoContainers(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := 0
	for i := range 20 {
		wg.Go(func() {
			s := sa.Tokens()
			if i%2 == 1 {
				s = sb.Tokens()
			}
			err := s.Add(ctx, token(fmt.Sprint("t", i), "anna", time.Hour), 5)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				made++
			case !errors.Is(err, formgate.ErrTooManyTokens):
				t.Errorf("a make failed with %v: only ErrTooManyTokens may refuse one", err)
			}
		})
	}
	wg.Wait()
	list, err := sa.Tokens().List(ctx, "anna")
	if err != nil || made != 5 || len(list) != 5 {
		t.Fatalf("%d made, %d listed (%v); the cap is 5", made, len(list), err)
	}
}
