package report

import (
	"errors"
	"fmt"
	"strconv"
)

// errNoPage: a page number past the end (404, not 400: the number is
// well formed, the page is not there).
var errNoPage = errors.New("no such page")

// pageCount is the number of HTML pages of rows; an empty report has one.
func pageCount(rows, per int) int { return max(1, (rows+per-1)/per) }

// pageNumber reads ?page= (empty: 1) for a report of rows rows.
func pageNumber(q string, rows, per int) (n, pages int, err error) {
	pages = pageCount(rows, per)
	if q == "" {
		return 1, pages, nil
	}
	n, err = strconv.Atoi(q)
	if err != nil || n < 1 {
		return 0, pages, fmt.Errorf("page %q is not a page number: use a whole number from 1 to %d", q, pages)
	}
	if n > pages {
		return 0, pages, fmt.Errorf("%w: page %d of a report of %d pages (%d rows, %d a page)", errNoPage, n, pages, rows, per)
	}
	return n, pages, nil
}
