// Package dynamostore keeps formgate's shared state in one DynamoDB table,
// so that every Lambda container sees the same: the failed-login counters
// (a formgate.Limiter, per address, user name and device), the sessions
// ended before their time (a formgate.Revocations), the share links each
// user made (a formgate.Shares), the addresses each user logged in from
// (a formgate.KnownAddresses) and the tokens for scripts (Store.Tokens, a
// formgate.TokenWriter). It is optional and lives apart from the core, so that
// the AWS SDK is in a program only when it uses this package.
//
// The table has a string partition key "pk" and a TTL attribute "ttl"
// (Unix seconds); every item expires by itself. Items:
//
//	limit#NAME#KEY#WINDOW  n: attempts spent in that window
//	user#SHA256(USER)      before: sessions issued earlier are ended (Unix ns)
//	sid#ID                 the session is ended
//	share#SHA256(USER)     l_ID: the user's share link ID expires then (Unix s);
//	                       ver: the list's version, for Add's conditional write
//	known#SHA256(USER,ADDR) the user logged in from the client address ADDR
//	                       (formgate.KnownAddresses)
//	tok#ID                 a token for scripts: user, name, h (its SHA-256, hex),
//	                       c, e, u, r: created, expires, last used, revoked (Unix s)
//	tokens#SHA256(USER)    t_ID: the user's token ID expires then; ver, as share#
//
// Cost, on demand: a cookie request reads two items in one BatchGetItem
// (strongly consistent: 2 read units); a login attempt writes one item, a
// successful one two; a logout one. A request by a share link reads one
// item (GetItem: 1 read unit); making a link reads the list and writes
// once (again when another maker wrote in between), taking one back
// writes once; the report page of a user who may share reads the list.
// A request by a token reads one item (GetItem: 1 read unit) and writes
// only its last use, at most once an hour (one conditional UpdateItem);
// making a token writes its item and its user's list (reading the list
// first), revoking writes both; the report page of a user who may make
// tokens reads the list and its tokens (a GetItem and a BatchGetItem).
package dynamostore

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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/internal/awsenv"
	"github.com/formgate/formgate/internal/outage"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// callTimeout bounds each request to the table, retries included: a table
// that hangs must give a clear answer (a cookie refused, a login limited
// in the container) well before the function's own timeout.
const callTimeout = 2 * time.Second

// Store is one table.
type Store struct {
	db    DB
	table string
	// Logger gets the start and end of an outage; slog.Default() if nil.
	Logger *slog.Logger
}

func (s *Store) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

var _ formgate.Revocations = (*Store)(nil)

// New returns the store for table, through db.
func New(db DB, table string) *Store { return &Store{db: db, table: table} }

// FromEnv connects to table as the environment says (package awsenv):
// AWS_REGION, the credentials Lambda gives every function, and
// AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL) for a local DynamoDB
// such as dynalite. It reads no file and makes no request (the first is
// the first login or cookie).
func FromEnv(getenv func(string) string, table string) (*Store, *dynamodb.Client, error) {
	cfg, err := awsenv.Config(getenv, "DYNAMODB")
	if err != nil {
		return nil, nil, fmt.Errorf("dynamostore: %w", err)
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.RetryMaxAttempts = 2 // within callTimeout
	})
	return New(db, table), db, nil
}

// CreateTable makes the table with its key and TTL, on demand, and waits
// until it is active; for development (cmd/local) and tests. A deployed
// function never creates tables: its stack does.
func CreateTable(ctx context.Context, db *dynamodb.Client, table string) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if _, exists := errors.AsType[*types.ResourceInUseException](err); err != nil && !exists {
		return err
	}
	waiter := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 2*time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, time.Minute); err != nil {
		return err
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)},
	})
	if err != nil && !isTTLAlreadyOn(err) {
		return err
	}
	return nil
}

// isTTLAlreadyOn: UpdateTimeToLive on a table that has it says so in a
// ValidationException, which has no type of its own. A local DynamoDB
// without TTL (dynalite) says UnknownOperationException: the store does
// not need TTL to be right (it checks ttl when it reads), only to stay
// small.
func isTTLAlreadyOn(err error) bool {
	return strings.Contains(err.Error(), "already enabled") || strings.Contains(err.Error(), "UnknownOperationException")
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// Limiter is a formgate.Limiter on the table: a fixed window per key, in
// which at most burst attempts are spent. Spend is one conditional
// UpdateItem — "add one if fewer than burst" — which DynamoDB applies
// atomically, so attempts in any number of containers at once never spend
// more than burst; Settle of a successful login gives its attempt back
// with a second. A window is one item, gone by itself a window later.
//
// While the table cannot be reached, the limiter falls back to a limit in
// this container (formgate.MemoryLimiter, the same budget), so that Basic
// logins go on; the outage is logged once, its end once.
type Limiter struct {
	s      *Store
	name   string
	burst  int
	window time.Duration

	local  *formgate.MemoryLimiter
	mu     sync.Mutex
	inMem  map[string]int // attempts spent from local and not yet settled
	outage *outage.Log
}

var _ formgate.Limiter = (*Limiter)(nil)

// Limiter returns the limiter called name (its keys' prefix): burst
// attempts per key in each window.
func (s *Store) Limiter(name string, burst int, window time.Duration) *Limiter {
	return &Limiter{s: s, name: name, burst: burst, window: window,
		local: formgate.NewMemoryLimiter(burst, window/time.Duration(max(burst, 1))), inMem: map[string]int{},
		outage: &outage.Log{
			Start: "dynamostore: the table cannot be reached; login limits are per container until it can",
			End:   "dynamostore: the table answers again; login limits are shared again",
			Attrs: []any{"limiter", name},
		}}
}

func (l *Limiter) item(key string, now time.Time) (pk string, start time.Time) {
	start = now.Truncate(l.window)
	return "limit#" + l.name + "#" + key + "#" + strconv.FormatInt(start.Unix(), 10), start
}

// Spend implements formgate.Limiter. A full window may be full only of
// right logins still being checked (they give their attempt back after),
// so the attempt is tried again a few times over 0.7 s before it is
// refused — else many right logins at once would be turned away.
func (l *Limiter) Spend(ctx context.Context, key string) (time.Duration, error) {
	for _, pause := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 0} {
		wait, full, err := l.spend(ctx, key)
		if err != nil {
			l.outage.Failed(ctx, l.s.log(), err)
			wait, _ := l.local.Spend(ctx, key)
			if wait == 0 {
				l.mu.Lock()
				l.inMem[key]++
				l.mu.Unlock()
			}
			return wait, nil
		}
		l.outage.OK(l.s.log())
		if !full || pause == 0 {
			return wait, nil
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return wait, nil
		}
	}
	return 0, nil // not reached
}

// spend is one conditional UpdateItem; full when the window is spent.
func (l *Limiter) spend(ctx context.Context, key string) (wait time.Duration, full bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	now := time.Now()
	pk, start := l.item(key, now)
	_, err = l.s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.s.table),
		Key:                       map[string]types.AttributeValue{"pk": str(pk)},
		UpdateExpression:          aws.String("ADD n :one SET #ttl = :ttl"),
		ConditionExpression:       aws.String("attribute_not_exists(n) OR n < :burst"),
		ExpressionAttributeNames:  map[string]string{"#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":burst": num(int64(l.burst)), ":ttl": num(start.Add(2 * l.window).Unix())},
	})
	if _, isFull := errors.AsType[*types.ConditionalCheckFailedException](err); isFull {
		return start.Add(l.window).Sub(now), true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("dynamostore: spend %s: %w", l.name, err)
	}
	return 0, false, nil
}

// Settle implements formgate.Limiter: a failure keeps its attempt (no
// request); a success gives it back, in the current window (at a window's
// turn that may be the next one's: one attempt more, once).
func (l *Limiter) Settle(ctx context.Context, key string, failed bool) error {
	l.mu.Lock()
	local := l.inMem[key] > 0
	if local {
		l.inMem[key]--
		if l.inMem[key] == 0 {
			delete(l.inMem, key)
		}
	}
	l.mu.Unlock()
	if local {
		return l.local.Settle(ctx, key, failed)
	}
	if failed {
		return nil
	}
	pk, _ := l.item(key, time.Now())
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := l.s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.s.table),
		Key:                       map[string]types.AttributeValue{"pk": str(pk)},
		UpdateExpression:          aws.String("ADD n :minus"),
		ConditionExpression:       aws.String("n > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": num(-1), ":zero": num(0)},
	})
	if _, gone := errors.AsType[*types.ConditionalCheckFailedException](err); gone {
		return nil
	}
	if err != nil {
		// The attempt stays spent in the window: one attempt fewer for
		// this key, at worst.
		l.outage.Failed(ctx, l.s.log(), err)
		return nil
	}
	return nil
}

// Revoked implements formgate.Revocations: one BatchGetItem of the user's
// item and the session's, strongly consistent, so a logout in one
// container is seen by the next request in any other.
func (s *Store) Revoked(ctx context.Context, user, id string, issued time.Time) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
		RequestItems: map[string]types.KeysAndAttributes{s.table: {
			Keys:           []map[string]types.AttributeValue{{"pk": str(userKey(user))}, {"pk": str("sid#" + id)}},
			ConsistentRead: aws.Bool(true),
		}},
	})
	if err != nil {
		return false, fmt.Errorf("dynamostore: read revocations: %w", err)
	}
	if len(out.UnprocessedKeys) > 0 {
		return false, errors.New("dynamostore: read revocations: throttled")
	}
	now := time.Now().Unix()
	for _, item := range out.Responses[s.table] {
		if expired(item, now) {
			continue // TTL deletes within days, not at once
		}
		pk, _ := item["pk"].(*types.AttributeValueMemberS)
		if pk != nil && pk.Value == "sid#"+id {
			return true, nil
		}
		if b, ok := item["before"].(*types.AttributeValueMemberN); ok {
			before, _ := strconv.ParseInt(b.Value, 10, 64)
			if issued.UnixNano() < before {
				return true, nil
			}
		}
	}
	return false, nil
}

// userKey is a user's item key: the name hashed, so that any name fits
// DynamoDB's 2 KiB key and none can look like another item's.
func userKey(user string) string {
	sum := sha256.Sum256([]byte(user))
	return "user#" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func expired(item map[string]types.AttributeValue, now int64) bool {
	t, ok := item["ttl"].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	v, _ := strconv.ParseInt(t.Value, 10, 64)
	return v < now
}

// Revoke implements formgate.Revocations.
func (s *Store) Revoke(ctx context.Context, user, id string, until time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item:      map[string]types.AttributeValue{"pk": str("sid#" + id), "ttl": num(until.Unix() + 1)},
	})
	if err != nil {
		return fmt.Errorf("dynamostore: revoke: %w", err)
	}
	return nil
}

// RevokeAll implements formgate.Revocations.
func (s *Store) RevokeAll(ctx context.Context, user string, now, until time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item:      map[string]types.AttributeValue{"pk": str(userKey(user)), "before": num(now.UnixNano()), "ttl": num(until.Unix() + 1)},
	})
	if err != nil {
		return fmt.Errorf("dynamostore: revoke all: %w", err)
	}
	return nil
}
