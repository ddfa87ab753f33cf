// Command bare is the baseline of cmd/local's loopback benchmark: a bare
// net/http server that answers each path with an answer read at start
// (status, headers and body, as cmd/local gave them), doing nothing else.
//
//	bare -answers FILE
//
// FILE is JSON: {"/path": {"Status": 200, "Header": {...}, "Body": "base64"}}.
// It prints the URL it serves at, then serves until killed.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func main() {
	if len(os.Args) != 3 || os.Args[1] != "-answers" {
		fmt.Fprintln(os.Stderr, "usage: bare -answers FILE")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var answers map[string]answer
	if err := json.Unmarshal(b, &answers); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("serving http://%s\n", ln.Addr())
	srv := &http.Server{
		// The same timeouts as cmd/local's server (they cost per request).
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 30 * time.Second, MaxHeaderBytes: 64 << 10,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, ok := answers[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			h := w.Header()
			for k, v := range a.Header {
				h[k] = v
			}
			w.WriteHeader(a.Status)
			w.Write(a.Body)
		}),
	}
	srv.Serve(ln)
}
