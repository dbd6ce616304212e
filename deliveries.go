package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/store"
)

const deliveriesUsage = `usage:
  funnelscope deliveries list [-limit N]   the kept unusable deliveries, newest first (default 100)
  funnelscope deliveries replay ID...      feed kept deliveries through ingestion again
`

// errUsage is a command line the command does not understand; main
// prints the usage and exits with status 2.
var errUsage = errors.New("usage")

// deliveriesCommand runs `funnelscope deliveries list|replay` on
// DATABASE_URL, writing what it finds to out. It shows a delivery's id,
// receipt, topic, shop and reason, never its payload.
func deliveriesCommand(ctx context.Context, logger *slog.Logger, env getenv, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	s, err := loadSettings(env, false)
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("deliveries list", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		limit := fs.Int("limit", 100, "")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *limit < 1 {
			return errUsage
		}
		return withStore(ctx, logger, s, func(st *store.Store) error { return listDeliveries(ctx, st, *limit, out) })
	case "replay":
		ids, err := deliveryIDs(args[1:])
		if err != nil {
			return err
		}
		return withStore(ctx, logger, s, func(st *store.Store) error { return replayDeliveries(ctx, logger, s, st, ids, out) })
	}
	return errUsage
}

// deliveryIDs reads the ids to replay: at least one, each a positive number.
func deliveryIDs(args []string) ([]int64, error) {
	if len(args) == 0 {
		return nil, errUsage
	}
	ids := make([]int64, len(args))
	for i, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id < 1 {
			return nil, fmt.Errorf("%q is not a delivery id: the ids are the numbers `funnelscope deliveries list` shows", a)
		}
		ids[i] = id
	}
	return ids, nil
}

// withStore opens the store, runs fn and closes the store. It does not
// migrate: an inspection tool must not change the schema under a running
// server (serve and migrate do that).
func withStore(ctx context.Context, logger *slog.Logger, s settings, fn func(*store.Store) error) error {
	st, err := store.Open(ctx, s.databaseURL, store.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }() // all is committed by then: a failed close loses nothing
	return fn(st)
}

// listDeliveries writes the kept unusable deliveries as a table, and
// whether each one's payload is still there to be replayed.
func listDeliveries(ctx context.Context, st *store.Store, limit int, out io.Writer) error {
	kept, err := st.UnusableDeliveriesWithoutPayload(ctx, limit)
	if err != nil {
		return err
	}
	if len(kept) == 0 {
		_, err := fmt.Fprintln(out, "No kept unusable deliveries.")
		return err
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(w, "ID\tRECEIVED (UTC)\tTOPIC\tSHOP\tPAYLOAD\tREASON")
	for _, k := range kept {
		payload := "kept"
		if k.Purged {
			payload = "purged"
		}
		_, _ = fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.ReceivedAt.UTC().Format(time.DateTime),
			printable(k.Delivery.Topic), printable(k.Delivery.ShopDomain), payload, printable(k.Reason))
	}
	return w.Flush()
}

// replayDeliveries replays each delivery in turn through the app's
// ingestion and says what became of it. It fails when any was not
// replayed, so that a script notices.
func replayDeliveries(ctx context.Context, logger *slog.Logger, s settings, st *store.Store, ids []int64, out io.Writer) (err error) {
	a, err := app.New(s.app, st, app.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer func() {
		// The group commit is drained before the store closes.
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		defer cancel()
		err = errors.Join(err, a.Stop(stopCtx))
	}()
	failed := 0
	for _, id := range ids {
		r, err := a.ReplayDelivery(ctx, id)
		if err != nil {
			failed++
			if errors.Is(err, store.ErrNotFound) {
				_, _ = fmt.Fprintf(out, "delivery %d: there is no such delivery\n", id)
				continue
			}
			logger.Error("replay failed", "delivery", id, "error", err.Error())
			_, _ = fmt.Fprintf(out, "delivery %d: the replay failed (%s); it stays kept as it was\n", id, printable(err.Error()))
			continue
		}
		what := fmt.Sprintf("delivery %d (%s for %s)", id, printable(r.Kept.Delivery.Topic), printable(r.Kept.Delivery.ShopDomain))
		var line string
		switch r.Outcome {
		case app.ReplayApplied:
			line = "applied to its funnel session"
		case app.ReplayDuplicate:
			line = "already recorded: a delivery with its webhook id was applied meanwhile; the kept copy is gone"
		case app.ReplayKept:
			line = "carried out and recorded"
			if r.Reason != "" {
				line = "still unusable, kept again: " + r.Reason
			}
		default: // not replayed, or ignored
			failed++
			line = "not replayed: " + r.Reason
		}
		_, _ = fmt.Fprintf(out, "%s: %s\n", what, printable(line))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d deliveries were not replayed", failed, len(ids))
	}
	return nil
}

// printable keeps what a delivery's headers or payload put in a topic, a
// shop or a reason from driving the operator's terminal: control
// characters (escape sequences, line breaks) are shown as U+FFFD.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}
