// Command mkzip writes the Lambda deployment zip: `bootstrap` at the root,
// executable, plus any data files (the report CSV). It exists so that a
// build needs nothing but Go: no zip tool, and no file mode lost on the way
// (Lambda cannot run a bootstrap without its execute bit).
//
//	go run ./cmd/mkzip -o dist/report.zip dist/bootstrap [report.csv]
//
// The first file is stored as "bootstrap" with mode 0755; the others keep
// their base names, mode 0644. Times are fixed, so the same inputs give the
// same zip (and serverless sees no change to deploy).
package main

import (
	"archive/zip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	out := flag.String("o", "dist/report.zip", "zip to write")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: mkzip -o out.zip bootstrap [data files...]")
		os.Exit(2)
	}
	if err := write(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "mkzip:", err)
		os.Exit(1)
	}
}

// write makes the zip beside out and renames it into place when it is
// whole, so a failed build never leaves a broken zip where a good one was.
func write(out string, files []string) (err error) {
	f, err := os.CreateTemp(filepath.Dir(out), ".mkzip-*")
	if err != nil {
		return err
	}
	defer func() {
		err = errors.Join(err, f.Close())
		if err == nil {
			err = os.Rename(f.Name(), out)
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	zw := zip.NewWriter(f)
	for i, path := range files {
		name, mode := filepath.Base(path), os.FileMode(0o644)
		if i == 0 {
			name, mode = "bootstrap", 0o755
		}
		if err := add(zw, path, name, mode); err != nil {
			return err
		}
	}
	return zw.Close()
}

func add(zw *zip.Writer, path, name string, mode os.FileMode) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(mode)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, src)
	return err
}
