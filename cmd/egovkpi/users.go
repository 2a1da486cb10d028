package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// egovkpi user add|list|disable — usable before the server starts (it needs the file).
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: egovkpi user add|list|disable [flags]")
		return errUsage
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	username := fs.String("username", "", "username")
	role := fs.String("role", "", "admin, committee, analyst or officer")
	unit := fs.String("unit", "", "the officer's unit code")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	store, err := openStore(ctx, *db, false)
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	switch args[0] {
	case "add":
		// the password is the first line of standard input, so it never shows in ps
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("give the password as the first line of standard input")
		}
		pw := strings.TrimRight(line, "\r\n")
		u, err := store.CreateUser(ctx, *username, pw, *role, *unit, "egovkpi user add")
		if err != nil {
			return err
		}
		unit := ""
		if u.Unit != "" {
			unit = ", unit " + u.Unit
		}
		fmt.Fprintf(stdout, "added %s (%s%s)\n", u.Username, u.Role, unit)
	case "list":
		us, err := store.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tUNIT\tSTATUS\tCREATED")
		for _, u := range us {
			st := "active"
			if u.Disabled {
				st = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, u.Unit, st, u.CreatedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	case "disable":
		name := *username
		if name == "" && fs.NArg() > 0 {
			name = fs.Arg(0)
		}
		if err := store.DisableUser(ctx, name, "egovkpi user disable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled %s\n", name)
	default:
		return fmt.Errorf("unknown user command %q: use add, list or disable", args[0])
	}
	return nil
}

// egovkpi token create|revoke|list
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: egovkpi token create|revoke|list [flags]")
		return errUsage
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB(), "database file")
	username := fs.String("username", "", "the user the token acts for")
	name := fs.String("name", "", "what the token is for")
	id := fs.Int64("id", 0, "token id (revoke)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	store, err := openStore(ctx, *db, false)
	if err != nil {
		return err
	}
	defer closeInto(store, &err)
	switch args[0] {
	case "create":
		secret, t, err := store.CreateToken(ctx, *username, *name, "egovkpi token create")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %d for %s; it is shown once, on the next line:\n%s\n", t.ID, t.Username, secret)
	case "revoke":
		n := *id
		if n == 0 && fs.NArg() > 0 {
			n, _ = strconv.ParseInt(fs.Arg(0), 10, 64)
		}
		if err := store.RevokeToken(ctx, n, "egovkpi token revoke"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked token %d\n", n)
	case "list":
		ts, err := store.Tokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tCREATED\tREVOKED")
		for _, t := range ts {
			rev := ""
			if t.RevokedAt != nil {
				rev = t.RevokedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, t.CreatedAt.Format("2006-01-02 15:04"), rev)
		}
		return tw.Flush()
	default:
		return fmt.Errorf("unknown token command %q: use create, revoke or list", args[0])
	}
	return nil
}
