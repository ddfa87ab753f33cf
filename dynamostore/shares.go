package dynamostore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	formgate "github.com/formgate/formgate"
)

// The share links of a user are one item, share#SHA256(USER), with one
// attribute per link — "l_" + its id, the expiry in Unix seconds —, ttl,
// the latest expiry, so the item goes when its last link does, and ver,
// a version Add writes under a condition, so that the cap on live links
// holds for makers at once. Checking a link is one GetItem of the item,
// whatever it holds (at most 20 links of the gate's, well under a read
// unit's 4 KB).

var _ formgate.Shares = (*Store)(nil)

const linkAttr = "l_"

// shareKey is a user's share-link item key, the name hashed as userKey
// does (a user item of its own, so that RevokeAll's PutItem of user#…
// leaves the links alone).
func shareKey(user string) map[string]types.AttributeValue {
	sum := sha256.Sum256([]byte(user))
	return map[string]types.AttributeValue{"pk": str("share#" + base64.RawURLEncoding.EncodeToString(sum[:]))}
}

// Add implements formgate.Shares: a consistent read of the user's item
// to count the live links, then one UpdateItem that writes the link, ttl
// (the latest expiry) and a new version, on the condition that the
// version is still the one read. Two makers at once cannot both pass
// max: the second write fails its condition, and Add waits a little
// (exponential backoff with full jitter, so that makers at once spread
// out) and reads and counts again.
//
// A write fails its condition only when another maker's write succeeded,
// so within max+1 rounds each maker either writes or finds the cap
// reached; the bound of rounds leaves room for links taken back meanwhile.
// A healthy table thus never fails a maker for the race, only with
// ErrTooManyShares; addTimeout bounds the whole.
func (s *Store) Add(ctx context.Context, user, id string, expires time.Time, max int) error {
	return s.addCapped(ctx, cappedList{key: shareKey(user), attr: linkAttr, full: formgate.ErrTooManyShares, what: "add share link"}, id, expires, max)
}

// cappedList is a user's list item of ids, each an attribute attr + id
// holding its expiry (Unix seconds), with ttl (the latest expiry, plus
// linger) and ver, the version addCapped writes under a condition: the
// share links of a user, and their tokens.
type cappedList struct {
	key    map[string]types.AttributeValue
	attr   string
	linger time.Duration // how long the item outlives its last entry
	full   error         // the answer when the list has max live entries
	what   string        // for errors: "add share link"
}

// addCapped puts id on l unless it has max live entries, in rounds as
// Add says.
func (s *Store) addCapped(ctx context.Context, l cappedList, id string, expires time.Time, max int) error {
	ctx, cancel := context.WithTimeout(ctx, addTimeout)
	defer cancel()
	for round := range max + 4 {
		if round > 0 {
			if err := sleep(ctx, backoff(round)); err != nil {
				return fmt.Errorf("dynamostore: %s: %w", l.what, err)
			}
		}
		raced, err := s.tryAdd(ctx, l, id, expires, max)
		if !raced {
			return err
		}
	}
	return fmt.Errorf("dynamostore: %s: the list kept changing; try again", l.what)
}

// addTimeout bounds Add, its rounds and waits included; each call to the
// table has callTimeout.
const addTimeout = 5 * time.Second

// backoff is the wait before round n (from 1): up to 10 ms × 2ⁿ⁻¹, at
// most 320 ms, drawn at random.
func backoff(n int) time.Duration {
	limit := min(10*time.Millisecond<<min(n-1, 5), 320*time.Millisecond)
	return time.Duration(rand.Int64N(int64(limit))) + time.Millisecond
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tryAdd is one round of addCapped: raced when the write lost to
// another's.
func (s *Store) tryAdd(ctx context.Context, l cappedList, id string, expires time.Time, max int) (raced bool, err error) {
	callCtx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := s.db.GetItem(callCtx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: l.key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("dynamostore: %s: %w", l.what, err)
	}
	now, live, ttl := time.Now().Unix(), 0, expires.Add(l.linger).Unix()
	for name, v := range out.Item {
		if exp, ok := unix(v); ok && strings.HasPrefix(name, l.attr) && exp > now {
			live++
		}
	}
	if live >= max {
		return false, l.full
	}
	if t, ok := unix(out.Item["ttl"]); ok && t > ttl {
		ttl = t
	}
	old, _ := unix(out.Item["ver"])
	cond := "attribute_not_exists(ver)"
	values := map[string]types.AttributeValue{":exp": num(expires.Unix()), ":ttl": num(ttl), ":new": num(old + 1)}
	if _, had := out.Item["ver"]; had {
		cond, values[":old"] = "ver = :old", num(old)
	}
	_, err = s.db.UpdateItem(callCtx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       l.key,
		UpdateExpression:          aws.String("SET #l = :exp, #ttl = :ttl, ver = :new"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  map[string]string{"#l": l.attr + id, "#ttl": "ttl"},
		ExpressionAttributeValues: values,
	})
	if _, raced := errors.AsType[*types.ConditionalCheckFailedException](err); raced {
		return true, nil // another entry was written since the read: count again
	}
	if err != nil {
		return false, fmt.Errorf("dynamostore: %s: %w", l.what, err)
	}
	return false, nil
}

// Live implements formgate.Shares: one GetItem of the link's attribute,
// strongly consistent, so a link taken back in one container is refused
// by the next request in any other.
func (s *Store) Live(ctx context.Context, user, id string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      shareKey(user),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#l"),
		ExpressionAttributeNames: map[string]string{"#l": linkAttr + id},
	})
	if err != nil {
		return false, fmt.Errorf("dynamostore: read share link: %w", err)
	}
	exp, ok := unix(out.Item[linkAttr+id])
	return ok && time.Now().Unix() < exp, nil
}

// List implements formgate.Shares: one GetItem. Expired links found are
// removed in passing (one UpdateItem, whose failure changes nothing: an
// expired link is refused by its expiry anyway).
func (s *Store) List(ctx context.Context, user string) ([]formgate.Share, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	live, err := s.liveEntries(ctx, shareKey(user), linkAttr, "list share links")
	if err != nil {
		return nil, err
	}
	list := make([]formgate.Share, 0, len(live))
	for id, exp := range live {
		list = append(list, formgate.Share{ID: id, Expires: time.Unix(exp, 0)})
	}
	return list, nil
}

// liveEntries reads a list item (a user's share links or tokens: an
// attribute attr + id per entry holding its expiry) and returns its live
// entries, id → expiry in Unix seconds. The expired ones are removed in
// passing (one UpdateItem, whose failure changes nothing: an expired entry
// is refused by its expiry anyway).
func (s *Store) liveEntries(ctx context.Context, key map[string]types.AttributeValue, attr, what string) (map[string]int64, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("dynamostore: %s: %w", what, err)
	}
	now := time.Now().Unix()
	live := map[string]int64{}
	var gone []string
	names := map[string]string{}
	for name, v := range out.Item {
		id, isEntry := strings.CutPrefix(name, attr)
		exp, ok := unix(v)
		switch {
		case !isEntry || !ok:
		case exp <= now:
			gone = append(gone, "#g"+strconv.Itoa(len(gone)))
			names[gone[len(gone)-1]] = name
		default:
			live[id] = exp
		}
	}
	if len(gone) > 0 {
		s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.table),
			Key:                      key,
			UpdateExpression:         aws.String("REMOVE " + strings.Join(gone, ", ")),
			ExpressionAttributeNames: names,
		})
	}
	return live, nil
}

// Remove implements formgate.Shares: one UpdateItem, only on an item that
// exists (an UpdateItem would otherwise make an empty item without ttl,
// kept for ever).
func (s *Store) Remove(ctx context.Context, user, id string) error {
	return s.removeFrom(ctx, shareKey(user), linkAttr+id, "remove share link")
}

// removeFrom takes the attribute attr off the list item key, only on an
// item that exists (a removal from no list is no error, and writes
// nothing).
func (s *Store) removeFrom(ctx context.Context, key map[string]types.AttributeValue, attr, what string) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      key,
		UpdateExpression:         aws.String("REMOVE #a"),
		ConditionExpression:      aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames: map[string]string{"#a": attr},
	})
	if _, none := errors.AsType[*types.ConditionalCheckFailedException](err); none {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dynamostore: %s: %w", what, err)
	}
	return nil
}

// unix reads a number attribute of Unix seconds.
func unix(v types.AttributeValue) (int64, bool) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	t, err := strconv.ParseInt(n.Value, 10, 64)
	return t, err == nil
}
