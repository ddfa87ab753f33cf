package dynamostore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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

// twoContainers is one table in a real DynamoDB API (dynalite), seen
// through two clients.
func twoContainers(t *testing.T) (a, b *dynamostore.Store, db *dynalitetest.Server) {
	t.Helper()
	db = dynalitetest.Start(t)
	ca := db.Table("formgate")
	if err := dynamostore.CreateTable(context.Background(), ca, "formgate"); err != nil {
		t.Fatalf("creating the table again: %v", err)
	}
	return dynamostore.New(ca, "formgate"), dynamostore.New(db.Client(), "formgate"), db
}

// 10 failures spread over two containers: the 11th attempt is refused on
// either; a burst from both at once spends exactly the budget.
func TestLimiterShared(t *testing.T) {
	a, b, _ := twoContainers(t)
	ctx := context.Background()
	la, lb := a.Limiter("addr", 10, 10*time.Minute), b.Limiter("addr", 10, 10*time.Minute)
	for i := range 10 {
		l := []*dynamostore.Limiter{la, lb}[i%2]
		if wait, err := l.Spend(ctx, "198.51.100.7"); wait != 0 || err != nil {
			t.Fatalf("failure %d: wait %v err %v", i+1, wait, err)
		}
		l.Settle(ctx, "198.51.100.7", true)
	}
	for _, l := range []*dynamostore.Limiter{la, lb} {
		if wait, err := l.Spend(ctx, "198.51.100.7"); wait <= 0 || err != nil || wait > 10*time.Minute {
			t.Fatalf("11th attempt: wait %v err %v", wait, err)
		}
	}
	// A right login gives its attempt back.
	if wait, _ := la.Spend(ctx, "203.0.113.1"); wait != 0 {
		t.Fatal("fresh key refused")
	}
	la.Settle(ctx, "203.0.113.1", false)

	// 40 at once from two containers against a budget of 10.
	var wg sync.WaitGroup
	var mu sync.Mutex
	spent := 0
	for i := range 40 {
		l := []*dynamostore.Limiter{la, lb}[i%2]
		wg.Go(func() {
			wait, err := l.Spend(ctx, "burst")
			if err != nil {
				t.Error(err)
			}
			if wait == 0 {
				mu.Lock()
				spent++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if spent != 10 {
		t.Fatalf("40 attempts at once spent %d of a budget of 10", spent)
	}
}

func TestLimiterGivesBack(t *testing.T) {
	a, _, _ := twoContainers(t)
	ctx := context.Background()
	l := a.Limiter("user", 2, time.Hour)
	for i := range 20 {
		if wait, err := l.Spend(ctx, "anna"); wait != 0 || err != nil {
			t.Fatalf("right login %d refused: %v %v", i+1, wait, err)
		}
		if err := l.Settle(ctx, "anna", false); err != nil {
			t.Fatal(err)
		}
	}
}

// A logout in one container ends the session in the other; log out
// everywhere ends the user's older sessions, not newer ones.
func TestRevocationsShared(t *testing.T) {
	a, b, _ := twoContainers(t)
	ctx := context.Background()
	issued := time.Now().Add(-time.Minute)
	if gone, err := b.Revoked(ctx, "anna", "s1", issued); gone || err != nil {
		t.Fatalf("fresh session: %v %v", gone, err)
	}
	if err := a.Revoke(ctx, "anna", "s1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if gone, err := b.Revoked(ctx, "anna", "s1", issued); !gone || err != nil {
		t.Fatalf("revoked in a, seen in b: %v %v", gone, err)
	}
	if gone, _ := b.Revoked(ctx, "anna", "s2", issued); gone {
		t.Fatal("another session ended too")
	}
	now := time.Now()
	if err := b.RevokeAll(ctx, "anna", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if gone, _ := a.Revoked(ctx, "anna", "s2", issued); !gone {
		t.Fatal("an older session survived log out everywhere")
	}
	if gone, _ := a.Revoked(ctx, "anna", "s3", time.Now()); gone {
		t.Fatal("a session made after log out everywhere is ended")
	}
	if gone, _ := a.Revoked(ctx, "bob", "s4", issued); gone {
		t.Fatal("another user's session ended")
	}
}

// With the store down, every call fails (the gate then refuses, never
// guesses), and works again when it is back.
func TestStoreDown(t *testing.T) {
	a, _, db := twoContainers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db.Stop()
	if _, err := a.Revoked(ctx, "anna", "s1", time.Now()); err == nil {
		t.Fatal("Revoked with the store down: no error")
	}
	var logs strings.Builder
	a.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	// Logins go on, limited in this container: the budget still holds.
	l := a.Limiter("addr", 3, time.Hour)
	for i := range 3 {
		if wait, err := l.Spend(ctx, "k"); wait != 0 || err != nil {
			t.Fatalf("attempt %d with the store down: %v %v", i+1, wait, err)
		}
		l.Settle(ctx, "k", true)
	}
	if wait, _ := l.Spend(ctx, "k"); wait <= 0 {
		t.Fatal("the fallback limit does not hold")
	}
	db.Restart()
	if _, err := a.Revoked(ctx, "anna", "s1", time.Now()); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	if wait, err := l.Spend(ctx, "other"); wait != 0 || err != nil {
		t.Fatalf("the shared limit after the restart: %v %v", wait, err)
	}
	// One line when the outage began, one when it ended, for 4 failed calls.
	if strings.Count(logs.String(), "cannot be reached") != 1 || strings.Count(logs.String(), "answers again") != 1 {
		t.Fatalf("outage log:\n%s", logs.String())
	}
}

// Right logins at once, more than the budget, are not refused: a full
// window full of attempts still being checked is tried again.
func TestLimiterParallelRightLogins(t *testing.T) {
	a, b, _ := twoContainers(t)
	ctx := context.Background()
	ls := []*dynamostore.Limiter{a.Limiter("addr", 5, time.Hour), b.Limiter("addr", 5, time.Hour)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for i := range 20 {
		l := ls[i%2]
		wg.Go(func() {
			wait, err := l.Spend(ctx, "script")
			if err != nil || wait > 0 {
				mu.Lock()
				refused++
				mu.Unlock()
				return
			}
			time.Sleep(30 * time.Millisecond) // the check
			l.Settle(ctx, "script", false)
		})
	}
	wg.Wait()
	if refused != 0 {
		t.Fatalf("%d of 20 right logins at once refused with a budget of 5", refused)
	}
}

// A share link added in one container is live in the other; taken back
// in one, it is refused by the other; each user's list is their own; the
// item lives as long as its latest link, and expired links leave it.
func TestSharesShared(t *testing.T) {
	a, b, db := twoContainers(t)
	ctx := context.Background()
	now := time.Now()
	week, hour := now.Add(7*24*time.Hour), now.Add(time.Hour)
	if err := a.Add(ctx, "anna", "week", week, 20); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(ctx, "anna", "hour", hour, 20); err != nil { // the item outlives it: ttl stays
		t.Fatal(err)
	}
	a.Add(ctx, "anna", "gone", now.Add(-time.Second), 20)
	for _, tt := range []struct {
		user, id string
		live     bool
	}{{"anna", "week", true}, {"anna", "hour", true}, {"anna", "gone", false}, {"anna", "never", false}, {"bob", "week", false}} {
		if live, err := b.Live(ctx, tt.user, tt.id); live != tt.live || err != nil {
			t.Errorf("Live(%s, %s) = %v, %v; want %v", tt.user, tt.id, live, err, tt.live)
		}
	}
	item := func() map[string]types.AttributeValue {
		out, err := db.Client().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("formgate"), Key: shareKeyOf("anna"), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item
	}
	if ttl := item()["ttl"].(*types.AttributeValueMemberN).Value; ttl != strconv.FormatInt(week.Unix(), 10) {
		t.Errorf("ttl %s, want the latest expiry %d", ttl, week.Unix())
	}
	list, err := a.List(ctx, "anna")
	if err != nil || len(list) != 2 {
		t.Fatalf("List: %v %v", list, err)
	}
	if _, ok := item()["l_gone"]; ok {
		t.Error("List left the expired link in the item")
	}
	if err := a.Remove(ctx, "anna", "week"); err != nil {
		t.Fatal(err)
	}
	if live, err := b.Live(ctx, "anna", "week"); live || err != nil {
		t.Fatalf("taken back in a, live in b: %v %v", live, err)
	}
	if list, _ := b.List(ctx, "anna"); len(list) != 1 || list[0].ID != "hour" || !list[0].Expires.Equal(time.Unix(hour.Unix(), 0)) {
		t.Fatalf("b's list after the removal: %v", list)
	}
	// Removing from a user without links makes no item (it would have no
	// ttl, and stay for ever).
	if err := a.Remove(ctx, "carol", "x"); err != nil {
		t.Fatal(err)
	}
	if out, _ := db.Client().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("formgate"), Key: shareKeyOf("carol")}); len(out.Item) != 0 {
		t.Fatalf("Remove made an item: %v", out.Item)
	}
	db.Stop()
	if _, err := a.Live(ctx, "anna", "hour"); err == nil {
		t.Fatal("Live with the store down: no error")
	}
	if err := a.Add(ctx, "anna", "x", hour, 20); err == nil {
		t.Fatal("Add with the store down: no error")
	}
}

// The cap on live links holds for makers at once in two containers: the
// count and the write are one conditional step.
func TestSharesCapAtOnce(t *testing.T) {
	a, b, _ := twoContainers(t)
	ctx := context.Background()
	hour := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	made, tooMany := 0, 0
	for i := range 30 {
		wg.Go(func() {
			s := a
			if i%2 == 1 {
				s = b
			}
			err := s.Add(ctx, "anna", fmt.Sprint("l", i), hour, 5)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				made++
			case errors.Is(err, formgate.ErrTooManyShares):
				tooMany++
			default:
				t.Errorf("a make failed with %v: only ErrTooManyShares may refuse one", err)
			}
		})
	}
	wg.Wait()
	list, err := a.List(ctx, "anna")
	if err != nil || made != 5 || len(list) != 5 {
		t.Fatalf("%d made, %d refused as too many, %d listed (%v); the cap is 5", made, tooMany, len(list), err)
	}
}

// shareKeyOf is the key the store uses for user's links, as the package
// documents it.
func shareKeyOf(user string) map[string]types.AttributeValue {
	sum := sha256.Sum256([]byte(user))
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "share#" + base64.RawURLEncoding.EncodeToString(sum[:])}}
}

// A known address remembered through one container is known in the
// other, until its time; another user's or address's is not.
func TestKnownAddressesShared(t *testing.T) {
	a, b, _ := twoContainers(t)
	ctx := context.Background()
	if err := a.Remember(ctx, "anna", "addr:198.51.100.7", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a.Remember(ctx, "anna", "addr:198.51.100.8", time.Now().Add(-time.Second)) // already past
	for _, tt := range []struct {
		user, addr string
		want       bool
	}{
		{"anna", "addr:198.51.100.7", true},
		{"anna", "addr:198.51.100.8", false},
		{"bob", "addr:198.51.100.7", false},
		{"anna", "addr:198.51.100.9", false},
	} {
		if known, err := b.Known(ctx, tt.user, tt.addr); err != nil || known != tt.want {
			t.Errorf("%s at %s: %v, %v; want %v", tt.user, tt.addr, known, err, tt.want)
		}
	}
}
