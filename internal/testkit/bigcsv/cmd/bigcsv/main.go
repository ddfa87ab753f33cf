// Command bigcsv writes a generated report CSV of N rows (default 100000)
// to standard output: go run ./internal/bigcsv/cmd/bigcsv 100000 > big.csv
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/formgate/formgate/internal/testkit/bigcsv"
)

func main() {
	rows := 100000
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 0 {
			fmt.Fprintln(os.Stderr, "usage: bigcsv [ROWS]")
			os.Exit(2)
		}
		rows = n
	}
	os.Stdout.Write(bigcsv.Generate(rows))
}
