// Command egovbench measures egovkpi from outside, as its users meet it.
//
//	go run ./cmd/egovbench load [-d 10s] [-c 64] [-egovkpi PATH] [-json FILE] [-compare FILE]
//	go run ./cmd/egovbench all [-json FILE]
//	go run ./cmd/egovbench readme [-all FILE] [-load FILE] [-readme README.md]
//
// all runs the benchmarks every issue names (go test -bench in each package), each
// beside its limit where there is one, and prints one table.
//
// load builds nothing it is given (default: builds egovkpi with go build into a temporary
// folder), seeds the demo into a temporary database, starts the server as a second process
// on 127.0.0.1, creates c analysts through the admin API and signs each in through the
// sign-in form (a session cookie each, as browsers hold them). Every reader reads each
// page (the leaderboard, a unit's page — each request another province —, trends, map,
// completeness) for d; before that, after each of an officer's uploads through the API,
// every reader reads one page once, all at once: the first reads of a changed figure.
// It prints a table and writes it as JSON.
//
// readme writes both runs' figures, each with what it means, into README.md between
// <!-- bench:start --> and <!-- bench:end -->.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "all":
		err = runAll(os.Args[2:])
	case "load":
		err = runLoad(os.Args[2:])
	case "readme":
		err = runReadme(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "egovbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: egovbench load [-d 10s] [-c 64] [-egovkpi PATH] [-json FILE] [-compare FILE]\n       egovbench all [-json FILE]\n       egovbench readme [-all FILE] [-load FILE] [-readme README.md]")
	os.Exit(2)
}
