package report

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
)

// Source is where the report's CSV comes from: a file in the deployment
// (File), the embedded sample (Bytes), or an object in S3 (package
// s3report). The report loads it at start and, with Config.Refresh, asks
// again from time to time, handing over the version it has, so that a
// source that can tell (an S3 ETag, a file's size and time) answers
// ErrUnchanged instead of the same bytes.
type Source interface {
	// Load returns the CSV and its version, or ErrUnchanged when the
	// version is still have ("" at the first load).
	Load(ctx context.Context, have string) (csv []byte, version string, err error)
	// String says where the CSV is, for logs and errors; never a secret.
	String() string
}

// ErrUnchanged is Load's answer when the CSV is still the version in hand.
var ErrUnchanged = errors.New("report: the CSV has not changed")

// Bytes is a Source that is always data (the embedded sample).
func Bytes(name string, data []byte) Source { return bytesSource{name, data} }

type bytesSource struct {
	name string
	data []byte
}

func (s bytesSource) Load(_ context.Context, have string) ([]byte, string, error) {
	if have != "" {
		return nil, "", ErrUnchanged
	}
	return s.data, "embedded", nil
}

func (s bytesSource) String() string { return s.name }

// File is a Source reading the file at path; its version is the file's
// size and modification time, so an edited file is read again (with
// Config.Refresh) and an unchanged one is not.
func File(path string) Source { return fileSource(path) }

type fileSource string

func (f fileSource) Load(_ context.Context, have string) ([]byte, string, error) {
	st, err := os.Stat(string(f))
	if err != nil {
		return nil, "", pathless(err)
	}
	version := strconv.FormatInt(st.Size(), 10) + "@" + strconv.FormatInt(st.ModTime().UnixNano(), 10)
	if version == have {
		return nil, "", ErrUnchanged
	}
	data, err := os.ReadFile(string(f))
	if err != nil {
		return nil, "", pathless(err)
	}
	// A file being written while it is read would be served cut short:
	// the copy holds only if the file is as it was before the read.
	if again, err := os.Stat(string(f)); err != nil || again.Size() != st.Size() || !again.ModTime().Equal(st.ModTime()) || int64(len(data)) != st.Size() {
		return nil, "", errors.New("the file changed while it was read; it is read again at the next refresh")
	}
	return data, version, nil
}

func (f fileSource) String() string { return string(f) }

// pathless drops the path from a file error: loadError names the source.
func pathless(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// loadError names the source in a load error.
func loadError(s Source, err error) error { return fmt.Errorf("%s: %w", s, err) }
