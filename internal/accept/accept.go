// Package accept picks what to answer from an Accept header (RFC 9110
// 12.5.1): q-values, type/* and */* wildcards, q=0 for "not this". The
// standard library has no parser for it and the libraries that had one
// are archived; this is forty lines and a table test.
package accept

import (
	"slices"
	"strconv"
	"strings"
)

// Negotiate returns the offer (a media type such as "text/csv") the
// Accept header values prefer, "" when none is acceptable. No Accept
// header accepts everything: the first offer. Among equally preferred
// offers, the one whose media range comes first in the header wins, then
// the first in offers.
func Negotiate(header []string, offers ...string) string {
	ranges := parse(header)
	if len(ranges) == 0 {
		if len(offers) == 0 {
			return ""
		}
		return offers[0]
	}
	best, bestQ, bestPos := "", 0.0, 0
	for _, o := range offers {
		q, pos := match(ranges, o)
		if q > bestQ || q == bestQ && q > 0 && pos < bestPos {
			best, bestQ, bestPos = o, q, pos
		}
	}
	return best
}

// Prefers reports whether the header names offer itself with q > 0 and
// prefers it to every other offer: how a browser, which lists text/html
// first, is told from a script that sends */* or asks for data first. One
// parse of the header.
func Prefers(header []string, offer string, others ...string) bool {
	ranges := parse(header)
	explicit := false
	for _, r := range ranges {
		explicit = explicit || r.typ == offer && r.q > 0
	}
	if !explicit {
		return false
	}
	q, pos := match(ranges, offer)
	for _, o := range others {
		if oq, opos := match(ranges, o); oq > q || oq == q && opos < pos {
			return false
		}
	}
	return true
}

type mediaRange struct {
	typ string // "text/csv", "text/*", "*/*"
	q   float64
}

func parse(header []string) []mediaRange {
	ranges := items(header)
	for i, r := range ranges {
		if r.typ == "*" {
			ranges[i].typ = "*/*" // a bare * is what some clients send
		}
	}
	return ranges
}

// items reads a comma-separated list of tokens with q-values (Accept,
// Accept-Encoding), tokens in lower case. A q that is not a number from 0
// to 1 makes its item unreadable: skipped, never read as 1 (it may say 0).
func items(header []string) []mediaRange {
	var out []mediaRange
	for _, h := range header {
		for part := range strings.SplitSeq(h, ",") {
			typ, params, _ := strings.Cut(part, ";")
			typ = strings.ToLower(strings.TrimSpace(typ))
			if typ == "" {
				continue
			}
			q, ok := 1.0, true
			for p := range strings.SplitSeq(params, ";") {
				k, v, _ := strings.Cut(p, "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
					ok = err == nil && f >= 0 && f <= 1
					q = f
				}
			}
			if ok {
				out = append(out, mediaRange{typ, q})
			}
		}
	}
	return out
}

// Coding reports whether an Accept-Encoding header takes a content coding
// named by any of names (gzip, x-gzip; RFC 9110 12.5.3): one of them
// listed with a q above zero, or, when none is listed, * with a q above
// zero. An explicit gzip;q=0 refuses it even beside *.
func Coding(header []string, names ...string) bool {
	star := false
	for _, it := range items(header) {
		if slices.Contains(names, it.typ) {
			return it.q > 0
		}
		if it.typ == "*" {
			star = it.q > 0
		}
	}
	return star
}

// match is the q of the most specific range that covers offer, and that
// range's position; q 0 when none does.
func match(ranges []mediaRange, offer string) (q float64, pos int) {
	major, _, _ := strings.Cut(offer, "/")
	specificity := -1
	for i, r := range ranges {
		s := -1
		switch r.typ {
		case offer:
			s = 2
		case major + "/*":
			s = 1
		case "*/*":
			s = 0
		}
		if s > specificity {
			specificity, q, pos = s, r.q, i
		}
	}
	return q, pos
}
