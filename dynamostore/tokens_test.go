package dynamostore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/dynamostore"
	"github.com/formgate/formgate/internal/testkit/dynalitetest"
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
		if got, _, _ := a.Find(ctx, "ci"); i == 1 && got.LastUsed.Unix() != now.Unix() {
			t.Fatalf("written again within the hour: %v", got.LastUsed)
		}
	}
	if got, _, _ := a.Find(ctx, "ci"); got.LastUsed.Unix() != now.Add(61*time.Minute).Unix() {
		t.Fatalf("last used %v", got.LastUsed)
	}
	if err := a.Used(ctx, "gone", now); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Find(ctx, "gone"); ok || err != nil {
		t.Fatalf("Used made an item: %v %v", ok, err)
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
	// A list that still names it (its removal failed), or names another
	// user's token, lists neither.
	sum := sha256.Sum256([]byte("anna"))
	_, err = db.Client().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("formgate"),
		Key:                       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "tokens#" + base64.RawURLEncoding.EncodeToString(sum[:])}},
		UpdateExpression:          aws.String("SET t_ci = :e, t_bob1 = :e"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": &types.AttributeValueMemberN{Value: fmt.Sprint(ci.Expires.Unix())}}})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := a.List(ctx, "anna"); err != nil || len(list) != 1 || list[0].ID != "cron" {
		t.Fatalf("anna's list naming her revoked token and bob's: %v %v", list, err)
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

// counting is a DB that counts the calls to the table, by kind.
type counting struct {
	dynamostore.DB
	mu sync.Mutex
	n  map[string]int
}

func (c *counting) count(kind string) {
	c.mu.Lock()
	c.n[kind]++
	c.mu.Unlock()
}

func (c *counting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.count("UpdateItem")
	return c.DB.UpdateItem(ctx, in, o...)
}

func (c *counting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.count("PutItem")
	return c.DB.PutItem(ctx, in, o...)
}

func (c *counting) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.count("BatchGetItem")
	return c.DB.BatchGetItem(ctx, in, o...)
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.count("GetItem")
	return c.DB.GetItem(ctx, in, o...)
}

func (c *counting) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// What a request by a token costs the table, through the gate: one
// GetItem; the first use also its last use (one UpdateItem), and then no
// write for an hour. A wrong token: its GetItem and the address's
// attempt (one UpdateItem).
func TestTokensCostThroughGate(t *testing.T) {
	db := dynalitetest.Start(t)
	c := &counting{DB: db.Table("formgate"), n: map[string]int{}}
	s := dynamostore.New(c, "formgate")
	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: []byte(strings.Repeat("k", 32)),
		Logger: slog.New(slog.DiscardHandler), Tokens: s.Tokens(), Limiter: s.Limiter("addr", 10, 10*time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	do := func(method, target, body string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := do("POST", "/report/_formgate/tokens", "name=ci&ttl=720h", "Authorization", "Basic YW5uYTpwdw==")
	if w.Code != 201 {
		t.Fatalf("make: %d %s", w.Code, w.Body)
	}
	token := strings.TrimSpace(w.Body.String())
	if got, want := c.take(), map[string]int{"GetItem": 1, "PutItem": 1, "UpdateItem": 3}; fmt.Sprint(got) != fmt.Sprint(want) {
		// Basic's attempt spent and given back (2), the list read and
		// written, the token's item.
		t.Fatalf("making a token: %v, want %v", got, want)
	}
	for i, want := range []map[string]int{{"GetItem": 1, "UpdateItem": 1}, {"GetItem": 1}, {"GetItem": 1}} {
		if w := do("GET", "/report", "", "Authorization", "Bearer "+token); w.Code != 200 {
			t.Fatalf("request %d: %d", i+1, w.Code)
		}
		if got := c.take(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("request %d by the token: %v, want %v", i+1, got, want)
		}
	}
	other := "A"
	if token[30] == 'A' {
		other = "B"
	}
	if w := do("GET", "/report", "", "Authorization", "Bearer "+token[:30]+other+token[31:]); w.Code != 401 {
		t.Fatalf("a wrong token: %d", w.Code)
	}
	if got, want := c.take(), map[string]int{"GetItem": 1, "UpdateItem": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("a wrong token: %v, want %v", got, want)
	}
}
