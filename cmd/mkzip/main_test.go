package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "some-binary")
	csv := filepath.Join(dir, "sales.csv")
	os.WriteFile(bin, []byte("\x7fELF..."), 0o600) // mode on disk must not matter
	os.WriteFile(csv, []byte("a,b\n"), 0o600)
	out := filepath.Join(dir, "out.zip")
	if err := write(out, []string{bin, csv}); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(out)
	if err := write(out, []string{bin, csv}); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(out); !bytes.Equal(first, second) {
		t.Error("same inputs gave different zips")
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	want := map[string]struct {
		mode os.FileMode
		body string
	}{"bootstrap": {0o755, "\x7fELF..."}, "sales.csv": {0o644, "a,b\n"}}
	if len(zr.File) != len(want) {
		t.Fatalf("%d files, want %d", len(zr.File), len(want))
	}
	for _, f := range zr.File {
		w, ok := want[f.Name]
		if !ok || f.Mode().Perm() != w.mode {
			t.Errorf("%s: mode %v", f.Name, f.Mode())
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != w.body {
			t.Errorf("%s: %q", f.Name, b)
		}
	}
	if err := write(out, []string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("missing input: want an error")
	}
}

// A build that fails leaves the zip that was there, and no temporary file.
func TestWriteFailsWhole(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	os.WriteFile(bin, []byte("\x7fELF..."), 0o600)
	out := filepath.Join(dir, "report.zip")
	if err := write(out, []string{bin}); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(out)
	if err := write(out, []string{bin, filepath.Join(dir, "missing.htpasswd")}); err == nil {
		t.Fatal("a missing file was zipped")
	}
	if now, _ := os.ReadFile(out); !bytes.Equal(now, good) {
		t.Error("the good zip was overwritten by a failed build")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".mkzip-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
