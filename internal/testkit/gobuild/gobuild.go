// Package gobuild builds the module's programs for the end-to-end tests,
// once per state of the source however many test binaries (packages) ask:
// each binary is kept in a cache under the system's temporary folder,
// keyed by the build's settings and a hash of the module's files, so a
// second package — or a second run with nothing changed — reuses it
// rather than compiling and linking again.
package gobuild

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/formgate/formgate/internal/testkit"
)

// Build is one program to build.
type Build struct {
	// Pkg is the package, relative to the module's root ("./cmd/report").
	Pkg string
	// Flags go to go build ("-tags", "lambda.norpc", "-race", …).
	Flags []string
	// Env is added to the build's environment (GOOS=linux, CGO_ENABLED=0).
	Env []string
	// Name is the binary's file name; the package's base name if empty.
	Name string
}

// Binary returns the path of b built, building it if the cache has no
// copy for the module as it is. It marks tb end-to-end (testkit.EndToEnd):
// a test that runs a program is not a unit test.
func Binary(tb testing.TB, b Build) string {
	tb.Helper()
	testkit.EndToEnd(tb)
	path, err := binary(b)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

var (
	rootOnce sync.Once
	root     string // the module's root folder
	source   string // the hash of its files
	rootErr  error
)

// binary builds b into the cache, under a lock, so that test binaries of
// several packages running at once build it once between them.
func binary(b Build) (string, error) {
	rootOnce.Do(func() { root, source, rootErr = moduleHash() })
	if rootErr != nil {
		return "", rootErr
	}
	name := b.Name
	if name == "" {
		name = filepath.Base(b.Pkg)
	}
	key := sha256.New()
	fmt.Fprintf(key, "%s\x00%q\x00%q\x00%s", b.Pkg, b.Flags, b.Env, source)
	dir := filepath.Join(os.TempDir(), "formgate-gobuild", hex.EncodeToString(key.Sum(nil))[:24])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		os.Chtimes(dir, now, now) // in use: not swept
		return path, nil
	}
	sweep(filepath.Dir(dir))
	tmp := path + ".tmp"
	cmd := exec.Command("go", append(append([]string{"build", "-o", tmp}, b.Flags...), b.Pkg)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), b.Env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s %s: %v\n%s", strings.Join(b.Flags, " "), b.Pkg, err, out)
	}
	return path, os.Rename(tmp, path)
}

// sweep removes the builds of old states of the source, unused for a day.
func sweep(cache string) {
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(cache, e.Name()))
		}
	}
}

// moduleHash finds the module's root above the working folder and hashes
// the files a build can read: everything but tests, version control, node
// packages and build output.
func moduleHash() (string, string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", fmt.Errorf("gobuild: no go.mod above the working folder")
		}
		dir = parent
	}
	h := sha256.New()
	out, err := exec.Command("go", "env", "GOVERSION", "GOFLAGS").Output()
	if err != nil {
		return "", "", fmt.Errorf("go env: %v", err)
	}
	h.Write(out)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "dist") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, "_test.go") || !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", strings.TrimPrefix(path, dir))
		_, err = io.Copy(h, f)
		return err
	})
	return dir, hex.EncodeToString(h.Sum(nil)), err
}
