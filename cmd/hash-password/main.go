// Command hash-password makes the password hash formgate reads, so that no
// password needs to sit in the function's configuration.
//
//	go run ./cmd/hash-password [-argon2id | -cost 10] [user]
//	go run ./cmd/hash-password -check users.htpasswd
//	go run ./cmd/hash-password -token NAME [-ttl 8760h] user >> tokens.txt
//	go run ./cmd/hash-password -check-tokens tokens.txt
//
// On a terminal it asks for the password twice without echo; piped, it
// reads one line from standard input (printf '%s' "$PW" | …). With a user
// name it prints a "user:hash" line for AUTH_USERS or an htpasswd file
// (AUTH_USERS_FILE); without, the hash alone, for AUTH_PASSWORD_HASH. The
// hash is bcrypt (cost 10) unless -argon2id is given (19 MiB, 2 passes,
// 1 thread); see package htpasswd for what they cost.
//
// With -token it makes a token for scripts of the user, called NAME,
// that works for -ttl (default a year): the line for AUTH_TOKENS_FILE
// (id:user:name:hash:expiry, the hash a SHA-256 of the token) on standard
// output, and the token itself on standard error, once — it is kept
// nowhere else. -check-tokens checks such a file.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/htpasswd"
	"github.com/formgate/formgate/internal/apitoken"
)

func main() {
	argon := flag.Bool("argon2id", false, "make an argon2id hash instead of bcrypt")
	cost := flag.Int("cost", 0, fmt.Sprintf("bcrypt cost (each step doubles the work; default %d)", htpasswd.DefaultBcryptCost))
	check := flag.String("check", "", "check an htpasswd file (for AUTH_USERS_FILE) instead of making a hash")
	token := flag.String("token", "", "make a token for scripts called `NAME` for the user: its line for AUTH_TOKENS_FILE on standard output, the token on standard error")
	ttl := flag.Duration("ttl", 365*24*time.Hour, "with -token: how long the token works")
	checkTokens := flag.String("check-tokens", "", "check a tokens file (for AUTH_TOKENS_FILE)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: hash-password [-argon2id | -cost N] [user]\n       hash-password -check users.htpasswd\n       hash-password -token NAME [-ttl 8760h] user\n       hash-password -check-tokens tokens.txt")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *check != "" {
		u, err := htpasswd.ParseFile(*check)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hash-password:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "%s: %d users, all usable\n", *check, u.Len())
		return
	}
	if *checkTokens != "" {
		f, err := formgate.ReadTokensFile(*checkTokens)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hash-password:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "%s: %s, %d of them expired\n", *checkTokens, plural(f.Len(), "token"), f.Expired(time.Now()))
		return
	}
	if *token != "" {
		if err := makeToken(os.Stdout, os.Stderr, *token, *ttl, flag.Args(), time.Now()); err != nil {
			fmt.Fprintln(os.Stderr, "hash-password:", err)
			os.Exit(1)
		}
		return
	}
	if *argon && *cost != 0 {
		fmt.Fprintln(os.Stderr, "hash-password: -cost is bcrypt's; argon2id has its own parameters")
		os.Exit(2)
	}
	if *cost == 0 {
		*cost = htpasswd.DefaultBcryptCost
	}
	if err := run(os.Stdin, os.Stdout, os.Stderr, *argon, *cost, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "hash-password:", err)
		os.Exit(1)
	}
}

func run(stdin *os.File, stdout, stderr io.Writer, argon bool, cost int, args []string) error {
	if len(args) > 1 {
		return errors.New("give at most one user name, after the flags (hash-password -argon2id anna)")
	}
	user := ""
	if len(args) == 1 {
		user = args[0]
		if user == "" || strings.ContainsRune(user, ':') {
			return errors.New("the user name must be non-empty and without ':' (Basic credentials cannot carry one)")
		}
	}
	if !argon && (cost < bcrypt.MinCost || cost > htpasswd.MaxBcryptCost) {
		return fmt.Errorf("-cost %d: use %d to %d", cost, bcrypt.MinCost, htpasswd.MaxBcryptCost)
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	var hash, kind string
	if argon {
		p := htpasswd.DefaultArgon2
		hash, kind = htpasswd.HashArgon2id(password, p), fmt.Sprintf("argon2id, %d MiB, %d passes, %d thread", p.Memory/1024, p.Time, p.Threads)
	} else {
		if len(password) > 72 {
			return errors.New("bcrypt reads at most 72 bytes of a password: use -argon2id for a longer one")
		}
		if hash, err = htpasswd.HashBcrypt(password, cost); err != nil {
			return err
		}
		kind = fmt.Sprintf("bcrypt, cost %d", cost)
	}
	if user != "" {
		fmt.Fprintf(stderr, "a user:hash line (%s) for AUTH_USERS or an htpasswd file (AUTH_USERS_FILE):\n", kind)
		fmt.Fprintf(stdout, "%s:%s\n", user, hash)
	} else {
		fmt.Fprintf(stderr, "a hash (%s) for AUTH_PASSWORD_HASH:\n", kind)
		fmt.Fprintln(stdout, hash)
	}
	return nil
}

// readPassword asks twice without echo on a terminal; otherwise it reads
// one line.
func readPassword(stdin *os.File, stderr io.Writer) (string, error) {
	fd := int(stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if pw == "" {
			return "", errors.New("no password on standard input")
		}
		return pw, nil
	}
	fmt.Fprint(stderr, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	if len(first) == 0 {
		return "", errors.New("the password is empty")
	}
	fmt.Fprint(stderr, "Again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	if string(first) != string(second) {
		return "", errors.New("the two passwords differ; nothing was written")
	}
	return string(first), nil
}

// makeToken makes a token called name for the one user in args, working
// for ttl from now: its line on stdout, the token on stderr.
func makeToken(stdout, stderr io.Writer, name string, ttl time.Duration, args []string, now time.Time) error {
	if len(args) != 1 || args[0] == "" || strings.ContainsRune(args[0], ':') {
		return errors.New("-token makes a token of one user: give the user name after the flags (hash-password -token ci anna), without ':'")
	}
	if err := apitoken.CheckName(name); err != nil {
		return fmt.Errorf("-token: %w", err)
	}
	if ttl < time.Minute || ttl > formgate.MaxTokenMaxTTL {
		return fmt.Errorf("-ttl %s: use from 1m to %s (and at most the site's TOKEN_MAX_TTL, a year unless set)", ttl, formgate.MaxTokenMaxTTL)
	}
	token, id := apitoken.New()
	// The expiry to the second, as the file keeps it.
	line := apitoken.Line{ID: id, User: args[0], Name: name, Hash: apitoken.HashOf(token), Expires: now.Add(ttl).UTC().Truncate(time.Second)}
	fmt.Fprintf(stderr, "a line for AUTH_TOKENS_FILE (token %s of %s, until %s); the token, shown this once and kept nowhere:\n%s\n",
		id, args[0], line.Expires.Format(time.RFC3339), token)
	fmt.Fprintln(stdout, line)
	return nil
}

// plural is "1 token", "2 tokens".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
